// The log markers the "surrender failed or stuck" alert (infra/main.bicep) matches: started, ended, failed,
// each with the council's tenant id and the surrender's reference.
import { runOffboarding, SURRENDER_MARKERS, startOffboarding } from '../../jobs/offboarding';
import { cliOwner, surrenderId } from '../../offboarding/state';
import { CLERK, harness, LEAVER, TERM_END } from './support';

function capture() {
  const lines: string[] = [];
  return { lines, log: { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`), error: (m: string) => lines.push(`error ${m}`) } };
}

/** Starts and runs a surrender on a fresh harness, capturing its log lines. */
async function surrender(options: Parameters<typeof harness>[0]) {
  const h = await harness(options);
  const { lines, log } = capture();
  const deps = { ...h.deps(), log };
  const id = surrenderId(h.council.tenantId, LEAVER, TERM_END);
  const owner = cliOwner(id);
  await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
  const record = await runOffboarding(deps, id, { owner });
  return { h, lines, id, record };
}

describe('surrender log markers', () => {
  it('a surrender that completes logs started then ended, with tenantId and surrenderId', async () => {
    const { h, lines, id, record } = await surrender({ name: 'markers-done', inbox: 2 });
    try {
      expect(record.status).toBe('done');
      const marked = lines.filter((l) => l.includes('councilguard.surrender.'));
      expect(marked).toEqual([
        `info ${SURRENDER_MARKERS.started} tenantId=${h.council.tenantId} surrenderId=${id}: surrender of a councillor started via cli.`,
        `info ${SURRENDER_MARKERS.ended} tenantId=${h.council.tenantId} surrenderId=${id}: complete.`,
      ]);
      // The marker names no one: the councillor's address stays out of the logs.
      expect(marked.join('\n')).not.toContain(LEAVER);
    } finally {
      await h.close();
    }
  });

  it('a surrender stopped by a step (a read-only archive library) logs the failed marker as an error', async () => {
    const { h, lines, id, record } = await surrender({ name: 'markers-failed', inbox: 2, readOnlyArchive: true });
    try {
      expect(record.status).toBe('failed');
      expect(lines.filter((l) => l.includes(SURRENDER_MARKERS.failed))).toEqual([expect.stringMatching(new RegExp(`^error ${SURRENDER_MARKERS.failed.replace(/\./g, '\\.')} tenantId=${h.council.tenantId} surrenderId=${id}: step preflight failed: `))]);
      expect(lines.some((l) => l.includes(SURRENDER_MARKERS.ended))).toBe(false);
    } finally {
      await h.close();
    }
  });
});
