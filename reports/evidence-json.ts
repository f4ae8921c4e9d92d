// evidence.json: the pack as data, validated against schemas/evidence.schema.json on writing and reading,
// so nothing invalid is written and an edited or damaged file is refused with where it departs.
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { EvidencePack } from '../core/evidence';
import schema from '../schemas/evidence.schema.json';

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
const validate = ajv.compile<EvidencePack>(schema);

export function validateEvidence(pack: unknown): string[] {
  if (validate(pack)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(the pack)'} ${e.message ?? 'is not valid'}`);
}

export function renderEvidenceJson(pack: EvidencePack): string {
  const problems = validateEvidence(pack);
  if (problems.length) throw new Error(`The evidence pack does not match schemas/evidence.schema.json: ${problems.slice(0, 5).join('; ')}`);
  return `${JSON.stringify(pack, null, 2)}\n`;
}

/** The pack in an evidence.json; throws naming the problem when it is not valid JSON or not a pack. */
export function parseEvidenceJson(text: string): EvidencePack {
  let json: unknown;
  try { json = JSON.parse(text); } catch { throw new Error('it is not valid JSON'); }
  const problems = validateEvidence(json);
  if (problems.length) throw new Error(`it does not match the evidence schema (${problems.slice(0, 3).join('; ')})`);
  return json as EvidencePack;
}
