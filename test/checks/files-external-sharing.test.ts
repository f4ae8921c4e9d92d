import { filesExternalSharing as check } from '../../checks/catalogue/files-external-sharing';
import type { SharingPermission } from '../../core/snapshot';
import { DRIVE, IDS, failed, file, makeSnapshot, missingPermission, notLicensed, ok, oneDriveOf, run } from '../support/snapshot-factory';

const drives = {
  [IDS.cllrA]: oneDriveOf(IDS.cllrA, DRIVE.cllrA, [file('a-1', '/Planning/objection.docx', '2025-06-01T00:00:00Z', { shared: true })]),
};
const perm = (p: Partial<SharingPermission> & { permissionId: string }): SharingPermission => ({
  driveId: DRIVE.cllrA, itemId: 'a-1', roles: ['read'], grantedTo: [], inherited: false, ...p,
});
const withPerms = (perms: SharingPermission[]) => makeSnapshot({ oneDrives: ok(drives), sharingPermissions: ok(perms) });

describe('files.external-sharing', () => {
  it('flags an anyone-link as high, naming the file and its owner', () => {
    const outcome = run(check, withPerms([perm({ permissionId: 'p-anon', linkScope: 'anonymous' })]));
    expect(outcome.status).toBe('fail');
    expect(outcome.findings).toEqual([expect.objectContaining({
      kind: 'anyone-link', severity: 'high', key: `${DRIVE.cllrA}/a-1`,
      subject: { type: 'file', id: 'a-1', name: '/Planning/objection.docx', userPrincipalName: 'cllr.a@exampleparish.gov.uk' },
    })]);
    expect(outcome.findings[0].summary).toContain('Cllr Alice Able');
  });

  it('flags sharing with a person outside the council as medium', () => {
    const outcome = run(check, withPerms([perm({ permissionId: 'p-ext', linkScope: 'users', grantedTo: [{ displayName: 'Neighbour', email: 'neighbour@gmail.com' }] })]));
    expect(outcome.findings).toEqual([expect.objectContaining({ kind: 'external-people', severity: 'medium' })]);
    expect(outcome.findings[0].evidence.recipients).toEqual([expect.objectContaining({ email: 'neighbour@gmail.com', why: 'external-domain' })]);
  });

  it('flags a guest even when the grantee carries a guest UPN', () => {
    const outcome = run(check, withPerms([perm({ permissionId: 'p-guest', grantedTo: [{ email: 'bob_gmail.com#EXT#@exampleparish.onmicrosoft.com' }] })]));
    expect(outcome.findings[0]).toMatchObject({ kind: 'external-people' });
    expect(outcome.findings[0].evidence.recipients).toEqual([expect.objectContaining({ why: 'guest' })]);
  });

  it('flags look-alike domains', () => {
    const outcome = run(check, withPerms([perm({ permissionId: 'p-look', grantedTo: [{ email: 'clerk@exampleparish.gov.uk.example.net' }, { email: 'clerk@examp1eparish.gov.uk' }] })]));
    expect(outcome.findings[0].evidence.recipients).toHaveLength(2);
  });

  it('does not flag organisation-only links, internal people, inherited grants or grantees without an email', () => {
    const outcome = run(check, withPerms([
      perm({ permissionId: 'p-org', linkScope: 'organization' }),
      perm({ permissionId: 'p-int', linkScope: 'users', grantedTo: [{ email: 'clerk@exampleparish.gov.uk' }, { email: 'RFO@ExampleParish.gov.uk' }] }),
      perm({ permissionId: 'p-inh', linkScope: 'anonymous', inherited: true }),
      perm({ permissionId: 'p-group', grantedTo: [{ displayName: 'Council Members' }] }),
    ]));
    expect(outcome.status).toBe('pass');
  });

  it('gives one finding per item and kind however many links it has', () => {
    const outcome = run(check, withPerms([perm({ permissionId: 'p1', linkScope: 'anonymous' }), perm({ permissionId: 'p2', linkScope: 'anonymous', roles: ['write'] })]));
    expect(outcome.findings).toHaveLength(1);
    expect(outcome.findings[0].evidence.links).toHaveLength(2);
  });

  it('still reports when item names cannot be read, using the item id', () => {
    const snapshot = makeSnapshot({ oneDrives: missingPermission('Files.Read.All'), sharingPermissions: ok([perm({ permissionId: 'p', linkScope: 'anonymous' })]) });
    const outcome = run(check, snapshot);
    expect(outcome.findings[0].subject.name).toBe('a-1');
    expect(outcome.partialSkips?.[0].part).toBe('item-names');
  });

  it('is skipped when sharing permissions are unavailable, and errors when their read failed', () => {
    expect(run(check, makeSnapshot({ sharingPermissions: missingPermission('Files.Read.All') }))).toMatchObject({ status: 'skipped', skipReason: { code: 'missing-permission' } });
    expect(run(check, makeSnapshot({ sharingPermissions: notLicensed('SharePoint') }))).toMatchObject({ status: 'skipped', skipReason: { code: 'not-licensed' } });
    expect(run(check, makeSnapshot({ sharingPermissions: failed() })).status).toBe('error');
  });

  it('survives odd grantee data', () => {
    const odd = [perm({ permissionId: 'p-odd', grantedTo: [null as never, {} as never, { email: '' }] })];
    expect(() => run(check, withPerms(odd))).not.toThrow();
  });
});
