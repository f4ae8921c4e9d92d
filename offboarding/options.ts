// Surrender options: they live in the council config under enforce.offboarding (a free-form object in
// the shared schema, validated here) and only there. Each is a safety setting (how long licences stay,
// how much is re-read, which mailbox writes to the clerk), so a request may not change any of them.
import Ajv from 'ajv';
import type { CouncilConfig } from '../policy/council-config';
import { SurrenderInputError } from '../core/errors';
import { type SurrenderOptions } from './types';

const OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    licenceGraceDays: { type: 'integer', minimum: 0, maximum: 365 },
    convertToShared: { type: 'boolean' },
    grantClerkFullAccess: { type: 'boolean' },
    verifySample: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] },
    notifyFrom: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile<Partial<SurrenderOptions>>(OPTIONS_SCHEMA);

const DEFAULTS: SurrenderOptions = { licenceGraceDays: 30, convertToShared: false, grantClerkFullAccess: false, verifySample: null };

function problems(where: string): string {
  return (validate.errors ?? []).map((e) => {
    const field = e.instancePath.replace(/^\//, '') || (e.params as { additionalProperty?: string }).additionalProperty || '(options)';
    if (e.keyword === 'additionalProperties') return `${where} has an unknown option "${(e.params as { additionalProperty: string }).additionalProperty}" (known: ${Object.keys(OPTIONS_SCHEMA.properties).join(', ')})`;
    if (field === 'notifyFrom') return `${where}.notifyFrom must be a mailbox address such as noreply@exampleparish.gov.uk`;
    if (field === 'verifySample') return `${where}.verifySample must be a whole number of items (1 or more), or null to re-read every item`;
    if (field === 'licenceGraceDays') return `${where}.licenceGraceDays must be a whole number of days from 0 to 365`;
    return `${where}.${field} ${e.message}`;
  }).join('; ');
}

/** The council's settings (enforce.offboarding), validated; a request that tries to set any is refused. */
export function resolveOptions(council: CouncilConfig, overrides: unknown = {}): SurrenderOptions {
  const configured = (council.enforce as { offboarding?: unknown } | undefined)?.offboarding ?? {};
  if (!validate(configured)) throw new SurrenderInputError(`The council config's enforce.offboarding is not valid: ${problems('enforce.offboarding')}. Correct the config file.`);
  const asked = overrides && typeof overrides === 'object' ? Object.keys(overrides) : [];
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides) || asked.length) {
    throw new SurrenderInputError(`The surrender's settings come from the council config only (enforce.offboarding); a request cannot set ${asked.length ? asked.map((k) => `"${k}"`).join(', ') : 'options'}. Leave options out of the request; if the council wants a different setting, the IT supplier changes the council config.`);
  }
  const deliveryFrom = (council.delivery as { email?: { from?: string } } | undefined)?.email?.from;
  const merged: SurrenderOptions = { ...DEFAULTS, ...configured };
  merged.notifyFrom ??= deliveryFrom;
  return merged;
}
