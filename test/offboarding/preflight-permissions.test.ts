// The surrender's preflight accepts a higher-privileged permission Graph accepts for a step's calls, and
// still refuses when only an unrelated broad permission is granted.
import { validateInTenant } from '../../offboarding/validate';
import { resolveOptions } from '../../offboarding/options';
import { CLERK, LEAVER, TERM_END, harness } from './support';

async function preflight(name: string, swap: Record<string, string | null>) {
  const h = await harness({ name, inbox: 1 });
  try {
    // Before the first token is issued, so the token carries these roles.
    const granted = h.tenant().scenario.grantedPermissions;
    h.tenant().scenario.grantedPermissions = [...new Set(granted.flatMap((p) => (p in swap ? (swap[p] ? [swap[p]!] : []) : [p])))];
    return await validateInTenant(h.graph, h.council, { tenantId: h.council.tenantId, council: h.council.name, userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, requestedAt: new Date().toISOString(), via: 'cli', options: resolveOptions(h.council) })
      .then((facts) => ({ facts, error: undefined }), (error: Error) => ({ facts: undefined, error }));
  } finally {
    await h.close();
  }
}

describe('surrender preflight: permission equivalence', () => {
  it('Mail.ReadWrite, Directory.Read.All and Directory.ReadWrite.All instead of the least-privileged ones: allowed', async () => {
    const { facts, error } = await preflight('preflight-broad', {
      'Mail.Read': 'Mail.ReadWrite', 'User.Read.All': 'Directory.Read.All', 'RoleManagement.Read.Directory': 'Directory.Read.All',
      'User.EnableDisableAccount.All': 'Directory.ReadWrite.All', 'User.RevokeSessions.All': 'Directory.ReadWrite.All', 'LicenseAssignment.ReadWrite.All': 'Directory.ReadWrite.All',
    });
    expect(error).toBeUndefined();
    expect(facts!.missing).toEqual([]);
  });

  it('Mail.Send is no stand-in for Mail.Read: refused naming Mail.Read', async () => {
    const { error } = await preflight('preflight-unrelated', { 'Mail.Read': null });
    expect(error?.message).toMatch(/lacks application permission\(s\) the surrender needs: Mail\.Read \(to export the mailbox\)/);
  });
});

describe('surrender preflight: the not-an-administrator guard reads role assignments as Entra holds them', () => {
  async function guard(name: string, change: (h: Awaited<ReturnType<typeof harness>>) => void) {
    const h = await harness({ name, inbox: 1 });
    try {
      change(h);
      return await validateInTenant(h.graph, h.council, { tenantId: h.council.tenantId, council: h.council.name, userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, requestedAt: new Date().toISOString(), via: 'cli', options: resolveOptions(h.council) })
        .then(() => undefined, (error: Error) => error);
    } finally {
      await h.close();
    }
  }
  const leaverId = (h: Awaited<ReturnType<typeof harness>>) => h.tenant().users.find((u) => u.userPrincipalName === LEAVER)!.id;

  it('a role held through a (nested) group: refused, naming the role', async () => {
    const error = await guard('guard-group-role', (h) => {
      const t = h.tenant();
      t.groups.push({ id: 'aaaaaaaa-0000-4000-8000-000000000001', displayName: 'Mail helpers', members: [leaverId(h)], memberGroups: [], roles: [], kind: 'security', onPremisesSyncEnabled: false, skuIds: [] });
      t.groups.push({ id: 'aaaaaaaa-0000-4000-8000-000000000002', displayName: 'Exchange admins', members: [], memberGroups: ['aaaaaaaa-0000-4000-8000-000000000001'], roles: ['Exchange Administrator'], kind: 'security', onPremisesSyncEnabled: false, skuIds: [] });
    });
    expect(error?.message).toMatch(/cllr\.leaving@testparish\.gov\.uk holds the administrator role\(s\) Exchange Administrator; remove the role\(s\) first .*any group that carries the role/);
  });

  it('a role the councillor is eligible for through PIM (P2): refused, naming it', async () => {
    const error = await guard('guard-eligible-role', (h) => {
      h.tenant().licences.p2 = true;
      h.tenant().users.find((u) => u.userPrincipalName === LEAVER)!.eligibleRoles = ['Global Administrator'];
    });
    expect(error?.message).toMatch(/is eligible \(PIM\) for Global Administrator; remove the role\(s\) first/);
  });

  it('no role at all: allowed', async () => {
    expect(await guard('guard-no-role', () => {})).toBeUndefined();
  });
});
