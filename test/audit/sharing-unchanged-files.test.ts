// Sharing on a file whose content did not change: delta does not list it ("driveItem: delta", scanning
// permissions hierarchies), so the next night finds it through Purview's sharing records ("Use sharing
// auditing in the audit log"), read with the per-service AuditLogsQuery-OneDrive.Read.All.
import { randomUUID } from 'node:crypto';
import { runAudit } from '../../jobs/run-audit';
import { type Scenario } from '../../simulator';
import { shareItem } from '../../simulator/drives';
import { withDemoTenant } from '../support/demo-tenant';

async function twoNights(change: (s: Scenario) => void = () => undefined) {
  return withDemoTenant(change, async ({ sim, scenario: s, council, ctx }) => {
    const night1 = await runAudit(ctx);
    // An old file in a councillor's OneDrive, never shared and not edited since: someone makes an anyone-link.
    const tenant = sim.tenant(s.tenantId);
    const councillors = new Set(council.roster.map((r) => r.userPrincipalName.toLowerCase()));
    const drive = [...tenant.drives.values()].find((d) => councillors.has(tenant.users.find((u) => u.id === d.ownerUserId)?.userPrincipalName.toLowerCase() ?? '') && [...d.items.values()].some((i) => !i.folder && !i.root && !i.deleted && !i.permissions.length && !i.package && !i.remoteItem))!;
    const item = [...drive.items.values()].find((i) => !i.folder && !i.root && !i.deleted && !i.permissions.length && !i.package && !i.remoteItem)!;
    const seqBefore = item.seq;
    shareItem(tenant, drive, item, { id: randomUUID(), roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: `${drive.webUrl}/s/x` } }, 'someone@exampleparish.gov.uk');
    expect(item.seq).toBe(seqBefore); // the content did not change
    const night2 = await runAudit(ctx);
    const night3 = await runAudit(ctx);
    const anyone = (r: typeof night1) => r.document.findings.filter((f) => f.checkId === 'files.external-sharing' && f.kind === 'anyone-link' && f.subject.id === item.id);
    return { night1: anyone(night1), night2: anyone(night2), night3: anyone(night3), check2: night2.document.checks.find((x) => x.id === 'files.external-sharing')! };
  });
}

describe('files.external-sharing: sharing on a file whose content did not change', () => {
  it('night 1 audit, an anyone-link on an old unchanged file, night 2 finds it and night 3 still does', async () => {
    const r = await twoNights();
    expect(r.night1).toEqual([]);
    expect(r.night2).toHaveLength(1);
    expect(r.night3).toHaveLength(1);
    expect(r.check2.partialSkips ?? []).toEqual([]);
  });

  it('without the OneDrive audit permission: not seen, and the check says why (partial skip)', async () => {
    const r = await twoNights((s) => {
      s.grantedPermissions = (s.grantedPermissions ?? []).filter((p) => !p.startsWith('AuditLogsQuery-OneDrive') && !p.startsWith('AuditLogsQuery-SharePoint') && p !== 'AuditLogsQuery.Read.All');
    });
    expect(r.night2).toEqual([]);
    expect(r.check2.partialSkips).toEqual(expect.arrayContaining([
      { part: 'sharing-on-unchanged-files', reason: { code: 'missing-permission', detail: expect.stringContaining('seen only when the file changes') } },
    ]));
  });
});
