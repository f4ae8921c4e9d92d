// The body of POST /api/offboarding, validated with a JSON Schema; each problem in words the clerk's
// web page can show as it is.
import Ajv from 'ajv';

export interface SurrenderRequestBody {
  userPrincipalName: string;
  termEnd: string;
  council?: string;
  force?: { reason: string };
  options?: Record<string, unknown>;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile<SurrenderRequestBody>({
  type: 'object',
  required: ['userPrincipalName', 'termEnd'],
  additionalProperties: false,
  properties: {
    userPrincipalName: { type: 'string', minLength: 3, maxLength: 256, pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' },
    termEnd: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    council: { type: 'string', minLength: 1, maxLength: 200 },
    force: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: { type: 'string', minLength: 3, maxLength: 500 } } },
    options: { type: 'object' },
  },
});

export function parseSurrenderBody(body: unknown): { ok: true; value: SurrenderRequestBody } | { ok: false; error: string } {
  if (validate(body)) return { ok: true, value: body };
  const problems = (validate.errors ?? []).map((e) => {
    const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (e.keyword === 'type' && !field) return 'the body must be a JSON object';
    if (e.keyword === 'required') return `${(e.params as { missingProperty: string }).missingProperty} is required`;
    if (e.keyword === 'additionalProperties') return `"${(e.params as { additionalProperty: string }).additionalProperty}" is not a field this request takes`;
    if (field === 'userPrincipalName') return 'userPrincipalName must be the councillor\'s sign-in address, e.g. cllr.name@exampleparish.gov.uk';
    if (field === 'termEnd') return 'termEnd must be a date written YYYY-MM-DD, e.g. 2026-05-07';
    if (field.startsWith('force')) return 'force.reason must say, in a few words, why the surrender starts before the term end';
    return `${field} ${e.message}`;
  });
  return { ok: false, error: `The request is not valid: ${[...new Set(problems)].join('; ')}.` };
}
