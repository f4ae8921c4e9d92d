// Surrender options: the council's defaults live in the council config under enforce.offboarding (a
// free-form object in the shared schema, validated here), and a request may override them.
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

/** The council's defaults (enforce.offboarding), then the request's overrides, validated. */
export function resolveOptions(council: CouncilConfig, overrides: unknown = {}): SurrenderOptions {
  const configured = (council.enforce as { offboarding?: unknown } | undefined)?.offboarding ?? {};
  if (!validate(configured)) throw new SurrenderInputError(`The council config's enforce.offboarding is not valid: ${problems('enforce.offboarding')}. Correct the config file.`);
  if (!validate(overrides)) throw new SurrenderInputError(`The surrender options are not valid: ${problems('options')}.`);
  const deliveryFrom = (council.delivery as { email?: { from?: string } } | undefined)?.email?.from;
  const merged: SurrenderOptions = { ...DEFAULTS, ...configured, ...(overrides as Partial<SurrenderOptions>) };
  merged.notifyFrom ??= deliveryFrom;
  return merged;
}
