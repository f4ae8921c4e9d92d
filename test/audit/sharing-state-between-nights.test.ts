// Later nights do not read again the sharing permissions of items that did not change: last night's are
// kept in each drive's index. An item is read again when delta lists it (it changed), when Purview's sharing
// records name it, or, without the audit permission for its service, every night (the records cannot say
// what changed then). Councillors' OneDrive ids are remembered too.
import { randomUUID } from 'node:crypto';
import { runAudit, type AuditResult } from '../../jobs/run-audit';
import type { Scenario, ScenarioFile } from '../../simulator';
import { shareItem, touch } from '../../simulator/drives';
import type { SimDrive, SimItem } from '../../simulator/state';
import { withDemoTenant, type DemoTenant } from '../support/demo-tenant';

const PERMISSIONS = 'GET /drives/{id}/items/{id}/permissions';
const DRIVE_LOOKUP = 'GET /users/{id}/drive';

/** A councillor's file shared with someone outside the council (the demo's councillors share nothing). */
const withSharedFile = (s: Scenario) => {
  const drive = s.users.find((u) => u.userPrincipalName === 'cllr.clarke@exampleparish.gov.uk')!.drive as { files: ScenarioFile[] };
  drive.files.find((f) => f.path === '/Council/Budget 2025.xlsx')!.sharing = [{ type: 'users', recipients: ['resident@example.net'] }];
};

const withoutSharingAudit = (s: Scenario) => {
  withSharedFile(s);
  s.grantedPermissions = (s.grantedPermissions ?? []).filter((p) => !p.startsWith('AuditLogsQuery-OneDrive') && !p.startsWith('AuditLogsQuery-SharePoint') && p !== 'AuditLogsQuery.Read.All');
};

/** Runs a night and says how many permission reads and OneDrive look-ups it made. */
async function night(t: DemoTenant): Promise<{ result: AuditResult; permissionReads: number; driveLookups: number }> {
  t.sim.stats.reset();
  const result = await runAudit(t.ctx);
  return { result, permissionReads: t.sim.stats.byRoute[PERMISSIONS] ?? 0, driveLookups: t.sim.stats.byRoute[DRIVE_LOOKUP] ?? 0 };
}

/** An item in a councillor's OneDrive that carries its own sharing but no anyone-link. */
function sharedWithoutAnyoneLink(t: DemoTenant): { drive: SimDrive; item: SimItem } {
  const tenant = t.sim.tenant(t.scenario.tenantId);
  const councillors = new Set(t.council.roster.map((r) => r.userPrincipalName.toLowerCase()));
  for (const drive of tenant.drives.values()) {
    const owner = tenant.users.find((u) => u.id === drive.ownerUserId)?.userPrincipalName.toLowerCase() ?? '';
    if (!councillors.has(owner)) continue;
    const item = [...drive.items.values()].find((i) => !i.folder && !i.root && !i.deleted && i.permissions.length && !i.permissions.some((p) => p.link?.scope === 'anonymous'));
    if (item) return { drive, item };
  }
  throw new Error('the demo tenant has no councillor file shared without an anyone-link');
}

const anyoneLinksOn = (r: AuditResult, itemId: string) => r.document.findings.filter((f) => f.checkId === 'files.external-sharing' && f.kind === 'anyone-link' && f.subject.id === itemId);
const sharingFindingIds = (r: AuditResult) => r.document.findings.filter((f) => f.checkId === 'files.external-sharing').map((f) => f.id).sort();

describe('sharing permissions between nights', () => {
  it('with the audit permission: an unchanged night reads none again, a new link on an unchanged file is read through its record, an edited file is read', async () => {
    await withDemoTenant(withSharedFile, async (t) => {
      const first = await night(t);
      expect(first.permissionReads).toBeGreaterThan(0);
      expect(first.driveLookups).toBeGreaterThan(0);

      const second = await night(t);
      expect(second.permissionReads).toBe(0);
      expect(second.driveLookups).toBe(0);
      expect(sharingFindingIds(second.result)).toEqual(sharingFindingIds(first.result));
      expect(sharingFindingIds(second.result).length).toBeGreaterThan(0);

      // An anyone-link added to a file already shared, whose content did not change: its record names it.
      const { drive, item } = sharedWithoutAnyoneLink(t);
      const tenant = t.sim.tenant(t.scenario.tenantId);
      shareItem(tenant, drive, item, { id: randomUUID(), roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: `${drive.webUrl}/s/y` } }, 'someone@exampleparish.gov.uk');
      const third = await night(t);
      expect(third.permissionReads).toBe(1);
      expect(anyoneLinksOn(third.result, item.id)).toHaveLength(1);

      // The link is removed and the file edited: delta lists it, so it is read again and the finding resolves.
      item.permissions = item.permissions.filter((p) => p.link?.scope !== 'anonymous');
      touch(tenant, drive, item);
      const fourth = await night(t);
      expect(fourth.permissionReads).toBe(1);
      expect(anyoneLinksOn(fourth.result, item.id)).toEqual([]);
      expect(fourth.result.document.resolved.map((r) => r.subject.id)).toContain(item.id);
    });
  });

  it('without the audit permission: every shared item is read every night, so a new link on an already-shared unchanged file is still found', async () => {
    await withDemoTenant(withoutSharingAudit, async (t) => {
      const first = await night(t);
      const second = await night(t);
      expect(second.permissionReads).toBe(first.permissionReads);
      expect(second.permissionReads).toBeGreaterThan(0);

      const { drive, item } = sharedWithoutAnyoneLink(t);
      shareItem(t.sim.tenant(t.scenario.tenantId), drive, item, { id: randomUUID(), roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: `${drive.webUrl}/s/z` } }, 'someone@exampleparish.gov.uk');
      const third = await night(t);
      expect(anyoneLinksOn(third.result, item.id)).toHaveLength(1);
      // What stays out of sight without the permission is said in the report (a file never shared before).
      expect(third.result.document.checks.find((c) => c.id === 'files.external-sharing')!.partialSkips).toEqual(expect.arrayContaining([
        expect.objectContaining({ part: 'sharing-on-unchanged-files' }),
      ]));
    });
  });

  it('when the sharing query stops at its record limit, every shared item is read again, so no change it left out is missed', async () => {
    await withDemoTenant((s) => {
      withSharedFile(s);
      s.auditQuery = { ...(s.auditQuery ?? {}), recordCountLimit: 1 };
    }, async (t) => {
      const first = await night(t);
      const tenant = t.sim.tenant(t.scenario.tenantId);
      const { drive, item } = sharedWithoutAnyoneLink(t);
      // Two sharing changes tonight: the query returns one record and says it stopped at its limit.
      const other = [...drive.items.values()].find((i) => !i.folder && !i.root && !i.deleted && i.id !== item.id && !i.permissions.length)!;
      shareItem(tenant, drive, other, { id: randomUUID(), roles: ['read'], link: { scope: 'organization', type: 'view', webUrl: `${drive.webUrl}/s/o` } }, 'someone@exampleparish.gov.uk');
      shareItem(tenant, drive, item, { id: randomUUID(), roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: `${drive.webUrl}/s/w` } }, 'someone@exampleparish.gov.uk');
      const second = await night(t);
      expect(second.permissionReads).toBeGreaterThanOrEqual(first.permissionReads);
      expect(anyoneLinksOn(second.result, item.id)).toHaveLength(1);
      expect(second.result.document.checks.find((c) => c.id === 'files.external-sharing')!.partialSkips).toEqual(expect.arrayContaining([
        { part: 'sharing-on-unchanged-files', reason: { code: 'incomplete-results', detail: expect.stringContaining('record limit') } },
      ]));
    });
  });

  it('a remembered OneDrive that is gone is looked up again, and the councillor\'s new drive is read', async () => {
    await withDemoTenant(() => undefined, async (t) => {
      await night(t);
      const tenant = t.sim.tenant(t.scenario.tenantId);
      const councillors = new Set(t.council.roster.map((r) => r.userPrincipalName.toLowerCase()));
      const owner = tenant.users.find((u) => councillors.has(u.userPrincipalName.toLowerCase()) && u.driveId)!;
      // The drive is re-provisioned under a new id (as after a restore): the old id answers 404.
      const old = tenant.drives.get(owner.driveId!)!;
      const moved = { ...old, id: randomUUID() };
      tenant.drives.delete(old.id);
      tenant.drives.set(moved.id, moved);
      owner.driveId = moved.id;
      const second = await night(t);
      expect(second.driveLookups).toBe(1);
      expect(second.result.document.checks.find((c) => c.id === 'files.outside-sharepoint')!.status).not.toBe('error');
      expect(second.result.errored).toBe(false);
    });
  });
});
