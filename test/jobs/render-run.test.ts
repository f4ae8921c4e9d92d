// The run's large files come in pieces (core/text-pieces.ts); joined, they are exactly what the
// whole-text renderers write, and they read the same each time.
import { renderRunFiles } from '../../jobs/render-run';
import { renderFindingsCsv } from '../../reports/csv';
import { renderFindingsJson } from '../../reports/findings-json';
import { loadProfile } from '../../policy/load';
import { HOSTILE, makeDocument, makeFinding } from '../support/findings-factory';
import { makeCouncil } from '../support/snapshot-factory';

describe('renderRunFiles', () => {
  it('gives findings.json and findings.csv in pieces, byte for byte the whole-text renderers\' output', () => {
    const profile = loadProfile('model-council');
    const doc = makeDocument({ findings: [...Array(40).keys()].map((i) => makeFinding(i, { summary: `${HOSTILE[i % HOSTILE.length]} =SUM(A1)` })) });
    const files = renderRunFiles(doc, { profile, council: makeCouncil(), history: [] });
    expect([...files['findings.json']].length).toBeGreaterThan(40);
    expect(String(files['findings.json'])).toBe(renderFindingsJson(doc));
    expect(String(files['findings.csv'])).toBe(renderFindingsCsv(doc, { profile }));
    // Read twice (stored, then written by the command line): the same both times.
    expect(String(files['findings.csv'])).toBe(String(files['findings.csv']));
  });

  it('refuses an invalid document before anything is written', () => {
    const profile = loadProfile('model-council');
    const doc = makeDocument({ findings: [makeFinding(1)] });
    const broken = { ...doc, council: undefined } as unknown as typeof doc;
    expect(() => renderRunFiles(broken, { profile, council: makeCouncil(), history: [] })).toThrow(/refusing to write an invalid findings\.json/);
  });
});
