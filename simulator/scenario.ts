// Scenario files describe one simulated tenant. They are validated on load against scenario.schema.json;
// every problem names the JSON path of the bad field.
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import schema from './scenario.schema.json';
import { packageRoot } from '../config/paths';
import { ScenarioError } from '../core/errors';

export interface ScenarioRecipientRule {
  id?: string;
  displayName: string;
  isEnabled?: boolean;
  forwardTo?: string[];
  forwardAsAttachmentTo?: string[];
  redirectTo?: string[];
  /** Odd Graph data for robustness tests: the rule's actions are null. */
  nullActions?: boolean;
}

export interface ScenarioSharing {
  type: 'anonymous' | 'organization' | 'users';
  recipients?: string[];
}

export interface ScenarioFile {
  path: string;
  size?: number;
  created?: string;
  modified?: string;
  sharing?: ScenarioSharing[];
}

export interface ScenarioUser {
  id?: string;
  userPrincipalName: string;
  displayName?: string;
  mail?: string;
  accountEnabled?: boolean;
  userType?: 'Member' | 'Guest';
  passwordPolicies?: string | null;
  lastPasswordChange?: string;
  licences?: string[];
  roles?: string[];
  /** Roles the user is eligible for (Privileged Identity Management, P2), not active. */
  eligibleRoles?: string[];
  mfa?: { methods?: string[]; perUserMfaState?: 'disabled' | 'enabled' | 'enforced' };
  risk?: { riskState: string; riskDetail?: string; riskLevel?: string };
  /** Relative ('-3d') or ISO times; leave a field out for "never". Reading it needs P1. */
  signInActivity?: { lastSignIn?: string; lastNonInteractiveSignIn?: string };
  mailbox?: {
    /** 'shared' makes Get-Mailbox report RecipientTypeDetails SharedMailbox. */
    type?: 'user' | 'shared';
    automaticReplies?: { status?: 'disabled' | 'alwaysEnabled' | 'scheduled'; externalAudience?: 'none' | 'contactsOnly' | 'all'; internalReplyMessage?: string; externalReplyMessage?: string };
    forwardingSmtpAddress?: string | null;
    forwardingAddress?: string | null;
    deliverToMailboxAndForward?: boolean;
    rules?: ScenarioRecipientRule[];
    /** Folders with messages generated from a seed and a count (see mailbox.ts). */
    folders?: import('./mailbox').ScenarioMailFolder[];
    contacts?: { displayName: string; email?: string; phone?: string }[];
    events?: { subject: string; start: string; durationMinutes?: number; location?: string }[];
  } | false;
  drive?: { files: ScenarioFile[] } | false;
}

export type GroupKind = 'security' | 'microsoft365' | 'distribution' | 'mailEnabledSecurity' | 'dynamic';

export interface Scenario {
  name: string;
  tenantId: string;
  organization: string;
  domains: { id: string; isDefault?: boolean; isVerified?: boolean; passwordValidityPeriodInDays?: number | null }[];
  skus: { skuPartNumber: string; skuId?: string; servicePlans: string[] }[];
  grantedPermissions: string[];
  exchangeManageAsApp?: boolean;
  users: ScenarioUser[];
  /**
   * kind (default security): how Graph reports it (groupTypes, mailEnabled, securityEnabled); licences: SKU
   * part numbers assigned to the group (group-based licensing), inherited by its members; `memberGroups`
   * nests other groups (by display name); `roles` are directory roles assigned to the group.
   */
  groups?: { displayName: string; members: string[]; kind?: GroupKind; onPremisesSynced?: boolean; licences?: string[]; memberGroups?: string[]; roles?: string[] }[];
  sites?: { hostname: string; path: string; displayName?: string; libraries: { name: string; files?: ScenarioFile[]; readOnly?: boolean }[] }[];
  conditionalAccessPolicies?: {
    displayName: string;
    state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced';
    includeUsers?: string[];
    excludeUsers?: string[];
    includeGroups?: string[];
    excludeGroups?: string[];
    includeRoles?: string[];
    excludeRoles?: string[];
    grantControls?: string[];
    /** Graph-shaped conditions merged over the defaults (clientAppTypes, applications, risk levels, locations…). */
    conditions?: Record<string, unknown>;
    /** Grant operator (default OR) and an authentication strength as Graph returns it. */
    grantOperator?: 'AND' | 'OR';
    authenticationStrength?: { id: string; displayName: string; allowedCombinations: string[] };
  }[];
  securityDefaults?: boolean;
  autoForwardingMode?: 'Automatic' | 'On' | 'Off';
  managedDevices?: { deviceName: string; user: string; operatingSystem?: string; isEncrypted: boolean; complianceState: string }[];
  /** `app` is the client (default Outlook on the web); `resource` what it signed in to (default Exchange Online). */
  signIns?: { user: string; at: string; countryOrRegion: string; appDisplayName?: string; resource?: 'exchange' | 'sharepoint' | 'graph'; clientAppUsed?: string; errorCode?: number }[];
  auditRecords?: { operation: string; user: string; mailboxOwner?: string; at: string; clientIp?: string; logonType?: number; parameters?: Record<string, string> }[];
  /** `recordCountLimit`: a query matching more records stops there and says so (isRecordCountLimitExceeded). */
  auditQuery?: { pollsUntilDone?: number; fail?: boolean; recordCountLimit?: number };
  pageSize?: number;
}

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
addFormats(ajv);
const validate = ajv.compile<Scenario>(schema);

export const SCENARIO_DIR = join(packageRoot(), 'simulator', 'scenarios');

export function builtInScenarios(): string[] {
  return readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json') && !f.includes('.councils.')).map((f) => f.replace(/\.json$/, '')).sort();
}

const pathOf = (e: ErrorObject) => e.instancePath.replace(/^\//, '').replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.') || '(top level)';

/** One alternative of a oneOf, in words: 'false', 'an object'. */
function alternative(schema: { const?: unknown; type?: string }): string {
  if ('const' in schema) return JSON.stringify(schema.const);
  return schema.type === 'object' ? 'an object' : schema.type === 'array' ? 'a list' : `a ${schema.type ?? 'value'}`;
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  const all = errors ?? [];
  // A field with alternatives (mailbox: false or an object) makes ajv report every branch; keep the
  // specific errors inside the branch the value chose, or else one sentence listing the alternatives.
  const choices = all.filter((e) => e.keyword === 'oneOf');
  const kept = all.filter((e) => {
    const choice = choices.find((c) => e.instancePath === c.instancePath);
    if (!choice) return true;
    const deeper = all.some((d) => d.instancePath.startsWith(`${choice.instancePath}/`));
    return e === choice && !deeper;
  });
  const lines = kept.map((e) => {
    const at = pathOf(e);
    if (e.keyword === 'oneOf') return `${at} must be ${(e.schema as { const?: unknown; type?: string }[]).map(alternative).join(' or ')}`;
    if (e.keyword === 'required') return `${at === '(top level)' ? '' : `${at}.`}${(e.params as { missingProperty: string }).missingProperty} is required`;
    if (e.keyword === 'additionalProperties') return `${at} has an unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    if (e.keyword === 'enum') return `${at} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    if (e.keyword === 'pattern' && e.schemaPath.includes('/when')) return `${at} must be a relative time like "-3d", "-6h", "-15m" or an ISO date`;
    return `${at} ${e.message}`;
  });
  return [...new Set(lines)];
}

export function parseScenario(json: unknown, source: string): Scenario {
  if (!validate(json)) {
    throw new ScenarioError(`Scenario ${source} is not valid:\n  - ${describe(validate.errors).join('\n  - ')}\nFix these fields (simulator/scenario.schema.json describes the format).`);
  }
  return json;
}

/** A built-in name ('demo'), or a path to a scenario JSON file. */
export function loadScenario(nameOrPath: string): Scenario {
  const builtIn = join(SCENARIO_DIR, `${nameOrPath}.json`);
  const path = /[\\/]|\.json$/i.test(nameOrPath) ? nameOrPath : builtIn;
  if (!existsSync(path)) {
    if (path === builtIn) throw new ScenarioError(`There is no built-in scenario "${nameOrPath}"; choose one of ${builtInScenarios().join(', ')}, or give the path to a scenario JSON file.`);
    throw new ScenarioError(`Scenario file ${path} does not exist; check the path.`);
  }
  const text = readFileSync(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(`Scenario file ${path} is not valid JSON (${err instanceof Error ? err.message : err}); fix the syntax.`);
  }
  return parseScenario(json, path);
}
