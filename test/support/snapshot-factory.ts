// Builds TenantSnapshots for the pure check tests: a small, CLEAN parish tenant (every check passes on
// it) that each test bends into a breach or a near-miss. Everything is plain data; nothing is mocked.
import type { CouncilConfig } from '../../policy/council-config';
import type { PolicyProfile } from '../../policy/profile';
import type { Part, SnapshotUser, TenantSnapshot, DriveItemSummary, DriveSnapshot } from '../../core/snapshot';
import type { Check, EvaluationInput } from '../../checks/types';
import type { CheckOutcome, SkipReason } from '../../core/findings';

export const NOW = '2025-06-10T02:00:00Z';
export const GLOBAL_ADMIN_ROLE = '62e90394-69f5-4237-9190-012177145e10';
export const TENANT_ID = '11111111-2222-3333-4444-555555555555';

export const IDS = {
  clerk: 'a0000000-0000-0000-0000-00000000c1e1',
  rfo: 'a0000000-0000-0000-0000-0000000000f0',
  cllrA: 'a0000000-0000-0000-0000-00000000000a',
  cllrB: 'a0000000-0000-0000-0000-00000000000b',
  admin: 'a0000000-0000-0000-0000-0000000000ad',
  breakGlass: 'a0000000-0000-0000-0000-0000000000bb',
  guest: 'a0000000-0000-0000-0000-00000000009e',
  volunteer: 'a0000000-0000-0000-0000-000000000011',
  group: 'g0000000-0000-0000-0000-000000000001',
} as const;

export const UPN = {
  clerk: 'clerk@exampleparish.gov.uk',
  rfo: 'rfo@exampleparish.gov.uk',
  cllrA: 'cllr.a@exampleparish.gov.uk',
  cllrB: 'cllr.b@exampleparish.gov.uk',
  admin: 'admin@exampleparish.onmicrosoft.com',
  breakGlass: 'breakglass@exampleparish.onmicrosoft.com',
  guest: 'bob_gmail.com#EXT#@exampleparish.onmicrosoft.com',
  volunteer: 'volunteer@exampleparish.gov.uk',
} as const;

export const ok = <T>(data: T): Part<T> => ({ status: 'ok', data });
export const unavailable = <T>(reason: SkipReason): Part<T> => ({ status: 'unavailable', reason });
export const notLicensed = <T>(licence: string): Part<T> => unavailable({ code: 'not-licensed', detail: `needs a ${licence} licence` });
export const missingPermission = <T>(permission: string): Part<T> => unavailable({ code: 'missing-permission', detail: `needs the application permission ${permission}` });
export const notConnected = <T>(): Part<T> => unavailable({ code: 'not-connected', detail: 'Exchange.ManageAsApp is not granted' });
export const failed = <T>(error = 'reading failed: HTTP 500'): Part<T> => ({ status: 'error', error });

export function makeUser(u: Partial<SnapshotUser> & { id: string; userPrincipalName: string }): SnapshotUser {
  return {
    displayName: u.userPrincipalName.split('@')[0],
    mail: u.userPrincipalName.includes('#EXT#') ? null : u.userPrincipalName,
    accountEnabled: true,
    userType: 'Member',
    passwordPolicies: null,
    lastPasswordChangeDateTime: '2025-05-01T09:00:00Z',
    assignedLicenses: [{ skuId: 'business-premium' }],
    adminRoles: [],
    ...u,
  };
}

export function baseUsers(): SnapshotUser[] {
  return [
    makeUser({ id: IDS.clerk, userPrincipalName: UPN.clerk, displayName: 'Clare Clerk' }),
    makeUser({ id: IDS.rfo, userPrincipalName: UPN.rfo, displayName: 'Rita Finance' }),
    makeUser({ id: IDS.cllrA, userPrincipalName: UPN.cllrA, displayName: 'Cllr Alice Able' }),
    makeUser({ id: IDS.cllrB, userPrincipalName: UPN.cllrB, displayName: 'Cllr Ben Baker' }),
    makeUser({ id: IDS.admin, userPrincipalName: UPN.admin, displayName: 'Supplier Admin', adminRoles: [GLOBAL_ADMIN_ROLE] }),
    makeUser({ id: IDS.breakGlass, userPrincipalName: UPN.breakGlass, displayName: 'Break Glass', adminRoles: [GLOBAL_ADMIN_ROLE], passwordPolicies: 'DisablePasswordExpiration' }),
    makeUser({ id: IDS.guest, userPrincipalName: UPN.guest, displayName: 'Bob (guest)', userType: 'Guest', mail: 'bob@gmail.com' }),
    makeUser({ id: IDS.volunteer, userPrincipalName: UPN.volunteer, displayName: 'Val Volunteer' }),
  ];
}

export function makeCouncil(overrides: Partial<CouncilConfig> = {}): CouncilConfig {
  return {
    name: 'Example Parish Council',
    tenantId: TENANT_ID,
    profile: 'model-council',
    domains: ['exampleparish.gov.uk'],
    councillorGroup: 'Councillors',
    clerk: UPN.clerk,
    staff: [UPN.rfo],
    itSupplier: { accounts: ['support@supplier.example'], appIds: ['99999999-0000-0000-0000-000000000001'] },
    breakGlass: [UPN.breakGlass],
    allowedForwardingDomains: [],
    sharePoint: { siteUrl: 'https://exampleparish.sharepoint.com/sites/council', library: 'Documents' },
    oneDriveGraceDays: 30,
    allowedSignInCountries: ['GB'],
    auditWindowHours: 24,
    roster: [
      { userPrincipalName: UPN.cllrA, termStart: '2023-05-04', termEnd: '2027-05-06' },
      { userPrincipalName: UPN.cllrB, termStart: '2023-05-04', termEnd: '2027-05-06' },
    ],
    checks: { disabled: [] },
    enforce: {},
    delivery: {},
    ...overrides,
  };
}

const CLAUSE_KEYS = [
  'files.council-storage', 'files.sharing', 'mail.forwarding', 'mail.council-account', 'identity.mfa', 'identity.passwords',
  'identity.password-compromise', 'identity.admin-credentials', 'monitoring.proportionate', 'accounts.surrender', 'devices.encryption',
];
export const KNOWN_CLAUSE_KEYS = new Set(CLAUSE_KEYS);

export function makeProfile(overrides: Partial<PolicyProfile> = {}): PolicyProfile {
  return {
    id: 'model-council',
    version: '2025-test',
    title: 'Model council IT policy',
    clauses: Object.fromEntries(CLAUSE_KEYS.map((k, i) => [k, { number: `${i + 1}`, summary: k }])),
    passwords: { rule: 'ncsc', explanation: 'NCSC advises changing a password only when it may have been compromised.' },
    mfaRequired: true,
    devicesMustBeEncrypted: true,
    filesMustBeInSharePoint: true,
    externalForwardingAllowed: false,
    ...overrides,
  };
}

/** An item as collect gives it: its last change as epoch ms (undefined for an empty date). */
export function file(id: string, path: string, lastModifiedDateTime: string, extra: Partial<DriveItemSummary> = {}): DriveItemSummary {
  return {
    id,
    path,
    size: 1024,
    lastChangedMs: lastModifiedDateTime ? Date.parse(lastModifiedDateTime) : undefined,
    isFolder: false,
    shared: false,
    ...extra,
  };
}

export function folder(id: string, path: string, lastModifiedDateTime = '2024-01-01T00:00:00Z'): DriveItemSummary {
  return file(id, path, lastModifiedDateTime, { isFolder: true, size: 0 });
}

export const DRIVE = { cllrA: 'drive-cllr-a', library: 'drive-library' } as const;

export function oneDriveOf(userId: string, driveId: string, items: DriveItemSummary[]): DriveSnapshot {
  return { driveId, ownerUserId: userId, webUrl: `https://exampleparish-my.sharepoint.com/personal/${driveId}`, items };
}

/** A clean tenant: P1+P2+Intune, Exchange connected, MFA required by CA for everyone but break-glass. */
export function makeSnapshot(overrides: Partial<TenantSnapshot> = {}): TenantSnapshot {
  const users = baseUsers();
  const inScope = [IDS.clerk, IDS.rfo, IDS.cllrA, IDS.cllrB, IDS.admin, IDS.breakGlass];
  return {
    tenantId: TENANT_ID,
    collectedAt: NOW,
    licences: { entraP1: true, entraP2: true, intune: true, exchange: true, skus: ['SPB', 'AAD_PREMIUM_P2'] },
    grantedPermissions: [],
    exchangeConnected: true,
    users: ok(users),
    councillorGroup: ok({ id: IDS.group, displayName: 'Councillors', memberIds: [IDS.cllrA, IDS.cllrB] }),
    domains: ok([
      { id: 'exampleparish.gov.uk', isVerified: true, isDefault: true, passwordValidityPeriodInDays: 2147483647 },
      { id: 'exampleparish.onmicrosoft.com', isVerified: true, isDefault: false, passwordValidityPeriodInDays: 2147483647 },
    ]),
    inboxRules: ok(Object.fromEntries(inScope.map((id) => [id, []]))),
    mailboxForwarding: ok(inScope.map((id) => ({ userPrincipalName: users.find((u) => u.id === id)!.userPrincipalName, forwardingSmtpAddress: null, forwardingAddress: null, deliverToMailboxAndForward: false }))),
    orgForwardingPolicy: ok({ autoForwardingMode: 'Automatic' }),
    mfaRegistration: ok(Object.fromEntries(inScope.map((id) => [id, { userId: id, isMfaRegistered: true, methodsRegistered: ['microsoftAuthenticatorPush'], source: 'report' as const }]))),
    perUserMfa: ok(Object.fromEntries(inScope.map((id) => [id, 'disabled']))),
    conditionalAccess: ok([
      {
        id: 'ca-mfa-all',
        displayName: 'Require MFA for everyone',
        state: 'enabled',
        conditions: { users: { includeUsers: ['All'], excludeUsers: [IDS.breakGlass] }, applications: { includeApplications: ['All'] } },
        grantControls: { operator: 'OR', builtInControls: ['mfa'], authenticationStrength: null },
      },
    ]),
    securityDefaults: ok({ isEnabled: false }),
    riskyUsers: ok([]),
    oneDrives: ok({
      [IDS.cllrA]: oneDriveOf(IDS.cllrA, DRIVE.cllrA, [
        folder('fa-1', '/Drafts'),
        file('fa-2', '/Drafts/agenda-notes.docx', '2025-06-01T10:00:00Z'),
      ]),
      [IDS.cllrB]: null,
    }),
    councilLibrary: ok({ driveId: DRIVE.library, webUrl: 'https://exampleparish.sharepoint.com/sites/council/Shared%20Documents', items: [
      folder('lib-1', '/Minutes'),
      file('lib-2', '/Minutes/2025-05.pdf', '2025-05-20T10:00:00Z', { shared: true }),
    ] }),
    sharingPermissions: ok([
      { driveId: DRIVE.library, itemId: 'lib-2', permissionId: 'perm-org', roles: ['read'], linkScope: 'organization', grantedTo: [], inherited: false },
    ]),
    mailboxAudit: ok({ records: [] }),
    signIns: ok([]),
    adminEligibility: ok({}),
    devices: ok([
      { id: 'dev-a', deviceName: 'ALICE-LAPTOP', userPrincipalName: UPN.cllrA, operatingSystem: 'Windows', isEncrypted: true, complianceState: 'compliant' },
    ]),
    surrenders: ok([
      { userPrincipalName: UPN.cllrA, status: 'none' },
      { userPrincipalName: UPN.cllrB, status: 'none' },
    ]),
    ...overrides,
  };
}

export interface RunOptions {
  council?: Partial<CouncilConfig>;
  profile?: Partial<PolicyProfile>;
  now?: string;
}

export function inputFor(snapshot: TenantSnapshot, opts: RunOptions = {}): EvaluationInput {
  return { snapshot, council: makeCouncil(opts.council), profile: makeProfile(opts.profile), now: opts.now ?? NOW };
}

/**
 * Evaluates a check and asserts what must hold for every outcome: findings belong to the check, cite
 * the clause keys the check declares for their kind, have a non-empty stable key, a subject, a summary
 * and a remediation, and evidence that is plain JSON. Returns the outcome for the test's own asserts.
 */
export function run(check: Check, snapshot: TenantSnapshot, opts: RunOptions = {}): CheckOutcome {
  const outcome = check.evaluate(inputFor(snapshot, opts));
  for (const f of outcome.findings) {
    const where = `${check.id}/${f.kind}/${f.key}`;
    if (f.checkId !== check.id) throw new Error(`${where}: checkId ${f.checkId}`);
    const declared = check.clauses[f.kind];
    if (!declared) throw new Error(`${where}: kind not declared in check.clauses`);
    for (const c of f.clauses) {
      if (!declared.includes(c)) throw new Error(`${where}: clause ${c} not declared for the kind`);
      if (!KNOWN_CLAUSE_KEYS.has(c)) throw new Error(`${where}: unknown clause key ${c}`);
    }
    if (!f.clauses.length) throw new Error(`${where}: no clauses`);
    if (!f.key || /^\d+$/.test(f.key)) throw new Error(`${where}: key must be a stable identifier, not an index`);
    if (!f.subject?.id || !f.subject.name || !f.subject.type) throw new Error(`${where}: incomplete subject`);
    if (!f.summary.trim() || !f.remediation.trim()) throw new Error(`${where}: empty summary or remediation`);
    if (/undefined|\[object Object\]|NaN/.test(f.summary + f.remediation)) throw new Error(`${where}: broken wording: ${f.summary} / ${f.remediation}`);
    if (JSON.stringify(JSON.parse(JSON.stringify(f.evidence))) !== JSON.stringify(f.evidence)) throw new Error(`${where}: evidence is not plain JSON`);
  }
  if (outcome.status === 'skipped' && !outcome.skipReason) throw new Error(`${check.id}: skipped without a reason`);
  if (outcome.status === 'error' && !outcome.error) throw new Error(`${check.id}: error without a message`);
  return outcome;
}

export function kinds(outcome: CheckOutcome): string[] {
  return outcome.findings.map((f) => f.kind).sort();
}
