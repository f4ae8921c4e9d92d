import { ALL_CHECKS, loadCatalogue, checkById } from '../../checks';
import { accessForParts } from '../../graph/permissions';
import { CHECK_IDS } from '../../checks';
import type { SnapshotPart, TenantSnapshot } from '../../core/snapshot';
import { DRIVE, IDS, KNOWN_CLAUSE_KEYS, UPN, baseUsers, failed, file, makeSnapshot, ok, oneDriveOf, run } from '../support/snapshot-factory';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One breach for every check, so every check has findings to compare between nights. */
function breachedTenant(reverse: boolean): TenantSnapshot {
  const order = <T>(xs: T[]) => (reverse ? [...xs].reverse() : xs);
  return makeSnapshot({
    users: ok(order(baseUsers().map((u) => (u.id === IDS.volunteer ? { ...u, passwordPolicies: 'DisableStrongPassword' } : u)))),
    domains: ok(order([{ id: 'exampleparish.gov.uk', isVerified: true, isDefault: true, passwordValidityPeriodInDays: 90 }])),
    inboxRules: ok({ [IDS.cllrA]: order([{ id: 'r1', isEnabled: true, actions: { forwardTo: [{ emailAddress: { address: 'a@gmail.com' } }] } }, { id: 'r2', isEnabled: false, actions: { redirectTo: { emailAddress: { address: 'b@gmail.com' } } } }]) }),
    mfaRegistration: ok({ [IDS.cllrA]: { userId: IDS.cllrA, isMfaRegistered: false, methodsRegistered: [], source: 'methods' } }),
    conditionalAccess: ok([]),
    oneDrives: ok({ [IDS.cllrA]: oneDriveOf(IDS.cllrA, DRIVE.cllrA, order([file('o1', '/old.docx', '2024-01-01T00:00:00Z', { shared: true }), file('o2', '/older.docx', '2023-01-01T00:00:00Z')])) }),
    sharingPermissions: ok(order([
      { driveId: DRIVE.cllrA, itemId: 'o1', permissionId: 'p1', roles: ['read'], linkScope: 'anonymous', grantedTo: [], inherited: false },
      { driveId: DRIVE.cllrA, itemId: 'o1', permissionId: 'p2', roles: ['read'], linkScope: 'users', grantedTo: [{ email: 'x@gmail.com' }], inherited: false },
    ])),
    mailboxAudit: ok({ records: order([
      { id: reverse ? 'night2-a' : 'night1-a', operation: 'MailItemsAccessed', userPrincipalName: UPN.clerk, mailboxOwnerUpn: UPN.cllrA, createdDateTime: '2025-06-09T10:00:00Z' },
      { id: reverse ? 'night2-b' : 'night1-b', operation: 'MailItemsAccessed', userPrincipalName: UPN.rfo, mailboxOwnerUpn: UPN.cllrA, createdDateTime: '2025-06-09T11:00:00Z' },
    ]) }),
    devices: ok(order([{ id: 'dev-x', deviceName: 'X', userPrincipalName: UPN.cllrB, isEncrypted: false, complianceState: 'noncompliant' }])),
  });
}

describe('the check catalogue', () => {
  it('holds the nine shipped checks, in the order of docs/ARCHITECTURE.md, with unique ids and places', () => {
    const shipped = ['files.outside-sharepoint', 'files.external-sharing', 'mail.external-forwarding', 'identity.mfa-registration',
      'identity.mfa-enforcement', 'identity.password-policy', 'mailbox.access-audit', 'accounts.term-ended', 'devices.compliance'];
    expect(CHECK_IDS.filter((id) => shipped.includes(id))).toEqual(shipped);
    expect(new Set(ALL_CHECKS.map((c) => c.order)).size).toBe(ALL_CHECKS.length);
    expect(new Set(CHECK_IDS).size).toBe(CHECK_IDS.length);
  });

  it('a new check is one file in the catalogue folder; a module there without a check, or a repeated id, is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-catalogue-'));
    const check = (id: string, order: number) => `exports.tenth = { id: '${id}', order: ${order}, title: 'A tenth check', clauses: {}, reads: ['users'], evaluate: () => ({ status: 'pass', findings: [] }) };\n`;
    writeFileSync(join(dir, 'b-tenth.js'), check('tenth.check', 5));
    writeFileSync(join(dir, 'a-first.js'), check('first.check', 10));
    expect(loadCatalogue(dir).map((c) => c.id)).toEqual(['tenth.check', 'first.check']);
    writeFileSync(join(dir, 'c-twin.js'), check('tenth.check', 20));
    expect(() => loadCatalogue(dir)).toThrow(/share the id tenth\.check/);
    rmSync(join(dir, 'c-twin.js'));
    writeFileSync(join(dir, 'helper.js'), 'exports.notACheck = 1;\n');
    expect(() => loadCatalogue(dir)).toThrow(/helper\.js exports no check/);
  });

  it('finds a check by id and answers undefined for an unknown id', () => {
    expect(checkById('mail.external-forwarding')?.title).toMatch(/forward/i);
    expect(checkById('mail.nonsense')).toBeUndefined();
  });

  it.each(ALL_CHECKS.map((c) => [c.id, c] as const))('%s declares known clause keys, reads, permissions and a title', (_id, check) => {
    expect(check.title.length).toBeGreaterThan(10);
    expect(Object.keys(check.clauses).length).toBeGreaterThan(0);
    for (const keys of Object.values(check.clauses)) for (const k of keys) expect(KNOWN_CLAUSE_KEYS.has(k)).toBe(true);
    expect(check.reads).toContain('users');
    // Permissions and licences follow from the reads (graph/permissions.ts).
    const access = accessForParts(check.reads);
    expect(access.required).toContain('User.Read.All');
    for (const p of access.licences) expect(['Entra ID P1', 'Entra ID P2', 'Intune']).toContain(p);
    // A permission is either required or optional for a check, never both.
    for (const p of access.optional) expect(access.required).not.toContain(p);
  });

  it.each(ALL_CHECKS.map((c) => [c.id, c] as const))('%s passes on the clean tenant', (_id, check) => {
    const outcome = run(check, makeSnapshot());
    expect(outcome.findings).toEqual([]);
    expect(outcome.status).toBe('pass');
    expect(outcome.partialSkips ?? []).toEqual([]);
  });

  it.each(ALL_CHECKS.map((c) => [c.id, c] as const))('%s reports an error, not a pass, when the users read failed', (_id, check) => {
    const outcome = run(check, makeSnapshot({ users: failed('reading users failed: HTTP 503') }));
    expect(outcome.status).toBe('error');
    expect(outcome.error).toContain('HTTP 503');
  });

  it.each(ALL_CHECKS.map((c) => [c.id, c] as const))('%s treats a part collect never read as an error naming the part', (_id, check) => {
    const snapshot = makeSnapshot();
    delete snapshot.users;
    const outcome = run(check, snapshot);
    expect(outcome.status).toBe('error');
    expect(outcome.error).toMatch(/"users"/);
  });

  it('gives every check findings whose identity is the same the next night, whatever order Graph returns', () => {
    const identities = (snapshot: TenantSnapshot, now: string) => ALL_CHECKS.flatMap((c) =>
      run(c, snapshot, { now, council: { roster: [{ userPrincipalName: UPN.cllrA, termStart: '2021-05-06', termEnd: '2025-05-08' }] } })
        .findings.map((f) => [f.checkId, f.kind, f.subject.type, f.subject.id, f.key].join(' | '))).sort();
    const tonight = identities(breachedTenant(false), '2025-06-10T02:00:00Z');
    const tomorrow = identities(breachedTenant(true), '2025-06-11T02:00:00Z');
    expect(new Set(tonight.map((i) => i.split(' | ')[0]))).toEqual(new Set(CHECK_IDS));
    expect(tomorrow).toEqual(tonight);
    expect(new Set(tonight).size).toBe(tonight.length);
  });

  it('lists every permission once for the grant script, and separates the optional ones', () => {
    const all = accessForParts([...new Set(ALL_CHECKS.flatMap((c) => c.reads))]);
    const names = [...all.required, ...all.optional];
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['Files.Read.All', 'MailboxSettings.Read', 'Policy.Read.All', 'Exchange.ManageAsApp', 'DeviceManagementManagedDevices.Read.All']));
    const required = (id: string) => accessForParts(checkById(id)!.reads).required;
    expect(required('mail.external-forwarding')).not.toContain('Exchange.ManageAsApp');
    expect(required('identity.password-policy')).not.toContain('IdentityRiskyUser.Read.All');
    expect(required('devices.compliance')).toContain('DeviceManagementManagedDevices.Read.All');
  });

  it('reads only snapshot parts that exist', () => {
    const parts: SnapshotPart[] = ['users', 'councillorGroup', 'domains', 'inboxRules', 'mailboxForwarding', 'orgForwardingPolicy', 'mfaRegistration', 'perUserMfa',
      'conditionalAccess', 'securityDefaults', 'riskyUsers', 'oneDrives', 'councilLibrary', 'sharingPermissions', 'mailboxAudit', 'signIns', 'devices', 'surrenders', 'adminEligibility', 'sharingAudit'];
    for (const c of ALL_CHECKS) for (const r of c.reads) expect(parts).toContain(r);
  });
});
