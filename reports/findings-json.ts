// findings.json: validated against schemas/findings.schema.json before it is written, and on reading, so
// nothing invalid is ever written and an old or damaged file is refused with the fix.
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FindingsDocument } from '../core/findings';
import { FindingsFormatError } from '../core/errors';
import schema from '../schemas/findings.schema.json';

export const FINDINGS_SCHEMA_VERSION = 1;

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile<FindingsDocument>(schema);

/** '/findings/3/subject' -> 'findings[3].subject'; the document itself is '(the document)'. */
function readablePath(pointer: string): string {
  if (!pointer) return '(the document)';
  return pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function describe(e: ErrorObject): string {
  const at = readablePath(e.instancePath);
  switch (e.keyword) {
    case 'required': return `${at}: the field "${(e.params as { missingProperty: string }).missingProperty}" is missing`;
    case 'additionalProperties': return `${at}: unexpected field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    case 'enum': return `${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const': return `${at}: must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case 'format': return `${at}: must be an ISO 8601 date and time with a zone, e.g. 2026-11-25T02:14:00.000Z`;
    default: return `${at}: ${e.message ?? 'is not valid'}`;
  }
}

/** Every way doc departs from the schema, each naming where (e.g. 'findings[3].subject: the field "name" is missing'); [] when valid. */
export function validateFindings(doc: unknown): string[] {
  if (validate(doc)) return [];
  return (validate.errors ?? []).map(describe);
}

/** Throws (so nothing is written) when doc does not match the schema. */
export function assertValidFindings(doc: FindingsDocument): void {
  const problems = validateFindings(doc);
  if (problems.length) {
    const more = problems.length > 8 ? ` (and ${problems.length - 8} more)` : '';
    throw new FindingsFormatError(`refusing to write an invalid findings.json (a CouncilGuard defect; please report it): ${problems.slice(0, 8).join('; ')}${more}`);
  }
}

/** findings.json text, two-space indented; throws (and so writes nothing) when doc does not match the schema. */
export function renderFindingsJson(doc: FindingsDocument): string {
  assertValidFindings(doc);
  return [...findingsJsonChunks(doc)].join('');
}

/**
 * findings.json a piece at a time, byte for byte what `JSON.stringify(doc, null, 2)` and a newline give,
 * so tens of thousands of findings are written or uploaded without the whole text (tens of MB) in memory
 * at once. Each finding and resolved entry is its own piece. Does not validate (assertValidFindings does).
 */
export function* findingsJsonChunks(doc: FindingsDocument): Generator<string> {
  // JSON.stringify indents a nested value by its depth; a string value never holds a raw newline.
  const nested = (value: unknown, depth: number) => JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);
  const entries = Object.entries(doc).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (!entries.length) { yield '{}\n'; return; }
  yield '{';
  for (const [i, [key, value]] of entries.entries()) {
    const head = `${i ? ',' : ''}\n  ${JSON.stringify(key)}: `;
    if ((key === 'findings' || key === 'resolved') && Array.isArray(value) && value.length) {
      yield `${head}[`;
      for (const [j, item] of value.entries()) yield `${j ? ',' : ''}\n    ${nested(item ?? null, 2)}`;
      yield '\n  ]';
    } else {
      yield `${head}${nested(value, 1)}`;
    }
  }
  yield '\n}\n';
}

/** Reads findings.json text; `source` names the file in messages. Throws FindingsFormatError saying what to do. */
export function parseFindingsJson(text: string, source: string): FindingsDocument {
  const body = text.replace(/^\uFEFF/, '');
  if (!body.trim()) throw new FindingsFormatError(`${source} is empty; re-run the audit to write it again.`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const cut = /end of (JSON )?input|Unterminated/i.test(why);
    throw new FindingsFormatError(cut
      ? `${source} is cut short (it ends part-way through the JSON), perhaps by a full disk or an interrupted copy; re-run the audit to write it again.`
      : `${source} is not valid JSON (${why}); re-run the audit to write it again.`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !('schemaVersion' in json)) {
    throw new FindingsFormatError(`${source} is not a CouncilGuard findings.json (it has no schemaVersion); give the findings.json an audit wrote.`);
  }
  const version = (json as { schemaVersion: unknown }).schemaVersion;
  if (version !== FINDINGS_SCHEMA_VERSION) {
    throw new FindingsFormatError(`${source} is findings.json from schema version ${JSON.stringify(version)}; this CouncilGuard reads version ${FINDINGS_SCHEMA_VERSION} — re-run the audit or use a matching version.`);
  }
  const problems = validateFindings(json);
  if (problems.length) {
    throw new FindingsFormatError(`${source} does not match the findings.json schema version 1: ${problems.slice(0, 8).join('; ')}${problems.length > 8 ? ` (and ${problems.length - 8} more)` : ''}. Re-run the audit to write it again.`);
  }
  return json as FindingsDocument;
}
