// Every drive's items are held from collect until the checks run, the largest part of a big tenant's
// snapshot: collect keeps the files and only the folders a check reads (the shared ones).
import { randomUUID } from 'node:crypto';
import { collectSnapshot } from '../../jobs/collect';
import { runAudit } from '../../jobs/run-audit';
import { shareItem } from '../../simulator/drives';
import { withDemoTenant } from '../support/demo-tenant';

describe('collect: the OneDrive items it keeps', () => {
  it('keeps every file and a shared folder, lets an unshared folder go, and the shared folder is still reported as a folder', async () => {
    await withDemoTenant(() => undefined, async ({ sim, scenario, ctx }) => {
      const tenant = sim.tenant(scenario.tenantId);
      const owner = tenant.users.find((u) => u.userPrincipalName === 'cllr.clarke@exampleparish.gov.uk')!;
      const drive = [...tenant.drives.values()].find((d) => d.ownerUserId === owner.id)!;
      const live = [...drive.items.values()].filter((i) => !i.root && !i.deleted);
      const planning = live.find((i) => i.folder && i.name === 'Planning')!;
      const council = live.find((i) => i.folder && i.name === 'Council')!;
      shareItem(tenant, drive, planning, { id: randomUUID(), roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: `${drive.webUrl}/s/planning` } }, 'cllr.clarke@exampleparish.gov.uk');

      const snapshot = await collectSnapshot({ ...ctx, parts: ['oneDrives', 'sharingPermissions'], now: ctx.clock().toISOString() });
      expect(snapshot.oneDrives?.status).toBe('ok');
      const kept = snapshot.oneDrives?.status === 'ok' ? snapshot.oneDrives.data[owner.id]!.items : [];
      expect(kept.map((i) => i.id).sort()).toEqual([...live.filter((i) => !i.folder).map((i) => i.id), planning.id].sort());
      expect(kept.map((i) => i.id)).not.toContain(council.id);
      expect(kept.find((i) => i.id === planning.id)).toMatchObject({ path: '/Council/Planning', isFolder: true, shared: true });

      const result = await runAudit(ctx);
      const finding = result.document.findings.find((f) => f.checkId === 'files.external-sharing' && f.subject.id === planning.id);
      expect(finding).toMatchObject({ kind: 'anyone-link', subject: { name: '/Council/Planning' }, remediation: expect.stringContaining('on this folder') });
    });
  });
});
