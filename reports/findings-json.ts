// findings.json: validated against schemas/findings.schema.json before it is written, and on reading.
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { FindingsDocument } from '../checks/types';
import schema from '../schemas/findings.schema.json';

export class FindingsFormatError extends Error {
  override name = 'FindingsFormatError';
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile<FindingsDocument>(schema);

export function validateFindings(doc: unknown): string[] {
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(top level)'} ${e.message}`);
}

export function renderFindingsJson(doc: FindingsDocument): string {
  const problems = validateFindings(doc);
  if (problems.length) throw new Error(`refusing to write an invalid findings.json: ${problems.slice(0, 5).join('; ')}`);
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function parseFindingsJson(text: string, source: string): FindingsDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FindingsFormatError(`${source} is not complete JSON (${err instanceof Error ? err.message : err}); it may have been cut short — re-run the audit to write it again.`);
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== 1) {
    throw new FindingsFormatError(`${source} is findings.json from schema version ${String(version)}; this CouncilGuard reads version 1 — re-run the audit or use a matching CouncilGuard version.`);
  }
  const problems = validateFindings(json);
  if (problems.length) throw new FindingsFormatError(`${source} does not match the findings schema: ${problems.slice(0, 5).join('; ')}`);
  return json as FindingsDocument;
}
