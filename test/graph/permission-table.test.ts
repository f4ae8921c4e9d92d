// Drift between the endpoint table (graph/permissions.ts) and the simulator's route table: each endpoint's
// permission must be one the route accepts and its licence the one the route demands, and every route
// CouncilGuard calls must be in the table. Either side changing alone fails here.
import {
  ENDPOINTS, SNAPSHOT_PART_ACCESS, SURRENDER_STEPS, WRITE_FEATURE_ENDPOINTS, accessForParts, graphEndpointFor, type Endpoint,
} from '../../graph/permissions';
import type { Licence } from '../../graph/licences';
import { ALL_CHECKS } from '../../checks';
import { allRoutes, routeFor, type Route } from '../../simulator/routes';
import { handleExchange } from '../../simulator/routes/exchange';
import type { TenantState } from '../../simulator/state';

/** The template with sample ids; a drive path gets a folder and a file, as the archive writes them. */
const instantiate = (template: string) => template.replace(/\{(\w+)\*\}/g, 'Folder/sample-$1.txt').replace(/\{(\w+)\}/g, 'sample-$1');
const versionsOf = (e: Endpoint) => e.versions ?? ['v1.0'];
const SIMULATOR_LICENCE: Record<Licence, Route['licence'] | 'none'> = { 'Entra ID P1': 'p1', 'Entra ID P2': 'p2', 'Intune': 'intune', 'Exchange Online': 'none' };

const graphEndpoints = ENDPOINTS.filter((e) => e.resource === 'Microsoft Graph');
const exchangeEndpoints = ENDPOINTS.filter((e) => e.resource === 'Office 365 Exchange Online');
const label = (e: Endpoint) => `${e.method} ${e.path}${e.property ? ` (${e.property})` : ''}`;

/** Simulator routes CouncilGuard never calls (the simulator's own helpers and tests use them). */
const NOT_CALLED: { method: string; path: string; why: string }[] = [
  { method: 'POST', path: '/groups/sample-groupId/members/$ref', why: 'tests add members to groups; the product only removes them' },
  { method: 'DELETE', path: '/users/sample-userId/mailFolders/inbox/messageRules/sample-ruleId', why: 'enforcement disables a rule, never deletes it' },
  { method: 'DELETE', path: '/drives/sample-driveId/items/sample-itemId', why: 'the archive is never deleted by CouncilGuard' },
  { method: 'GET', path: '/users/sample-userId/messages', why: 'the export lists messages per folder' },
  { method: 'GET', path: '/groups/sample-groupId/members', why: 'groups are resolved with transitiveMembers, as Entra applies them (nested groups included)' },
  { method: 'GET', path: '/directoryRoles', why: 'administrators come from roleManagement/directory/roleAssignments (group-assigned roles included)' },
  { method: 'GET', path: '/directoryRoles/sample-roleId/members', why: 'administrators come from roleManagement/directory/roleAssignments' },
];

function routeOf(method: string, path: string, version: string): Route | undefined {
  return routeFor(method, path, version)?.route;
}

describe('the endpoint table against the simulator\'s routes', () => {
  it.each(graphEndpoints.map((e) => [label(e), e] as const))('%s: the route accepts its permission and demands its licence', (_label, endpoint) => {
    for (const version of versionsOf(endpoint)) {
      const path = instantiate(endpoint.path);
      const route = routeOf(endpoint.method, path, version);
      expect(route).toBeDefined();
      expect(route!.roles).toContain(endpoint.permission);
      // The higher-privileged permissions the API page lists are accepted too, as Graph accepts them.
      expect(endpoint.alsoAccepted.filter((p) => !route!.roles.includes(p))).toEqual([]);
      expect(route!.licence ?? 'none').toBe(endpoint.licence ? SIMULATOR_LICENCE[endpoint.licence] : 'none');
      // The 403 lookup finds this endpoint's path, not an earlier template that shadows it.
      expect(graphEndpointFor(endpoint.method, `/${version}${path}?$select=id`)?.path).toBe(endpoint.path);
    }
  });

  it.each(exchangeEndpoints.map((e) => [label(e), e] as const))('%s: the Exchange admin API refuses a token without %s', (_label, endpoint) => {
    const tenant = { tenantId: 'sample-tenantid', users: [] } as unknown as TenantState;
    const call = (roles: string[]) => handleExchange({
      method: endpoint.method, path: `/exchange${endpoint.path.replace('{tenantId}', tenant.tenantId)}`, query: new URLSearchParams(),
      body: Buffer.from(JSON.stringify({ CmdletInput: { CmdletName: 'Get-Mailbox', Parameters: {} } })), tenant, roles, url: 'https://sim',
    });
    expect(call([])).toMatchObject({ status: 401, body: { error: { message: expect.stringContaining(endpoint.permission) } } });
    expect(call([endpoint.permission]).status).toBe(200);
  });

  it('has every simulator route CouncilGuard calls', () => {
    const reached = new Set<Route>();
    for (const e of graphEndpoints) for (const v of versionsOf(e)) {
      const route = routeOf(e.method, instantiate(e.path), v);
      if (route) reached.add(route);
    }
    const exempt = new Set(NOT_CALLED.map((n) => routeOf(n.method, n.path, 'v1.0')));
    // The exemptions name real routes that the table does not reach, so the list cannot go stale.
    for (const n of NOT_CALLED) {
      const route = routeOf(n.method, n.path, 'v1.0');
      expect(route && !reached.has(route) ? 'exempt' : `${n.method} ${n.path}`).toBe('exempt');
    }
    const missing = allRoutes().filter((r) => !reached.has(r) && !exempt.has(r)).map((r) => `${r.method} ${r.path.source}`);
    expect(missing).toEqual([]);
  });

  it('names only table endpoints in the snapshot parts and the write features', () => {
    const table = new Set(ENDPOINTS);
    const used = [
      ...Object.values(SNAPSHOT_PART_ACCESS).flatMap((p) => [...p.endpoints, ...(p.preferredEndpoints ?? [])]),
      ...SURRENDER_STEPS.flatMap((s) => [...s.endpoints, ...(s.coveredReads ?? [])]),
      ...Object.values(WRITE_FEATURE_ENDPOINTS).flat(),
    ];
    for (const e of used) expect(table.has(e) ? 'in the table' : label(e)).toBe('in the table');
  });

  it('a surrender step\'s permission is accepted for the reads it says that permission covers', () => {
    for (const step of SURRENDER_STEPS) {
      const permissions = new Set(step.endpoints.map((e) => e.permission));
      for (const read of step.coveredReads ?? []) {
        const route = routeOf(read.method, instantiate(read.path), versionsOf(read)[0])!;
        expect([...permissions].filter((p) => route.roles.includes(p))).not.toEqual([]);
      }
    }
  });
});

describe('what the table derives for the checks', () => {
  // The split the checks had when they stated their permissions themselves: an optional permission costs
  // only its part (Exchange forwarding, the P1 registration report, risky users, sign-in logs).
  const OPTIONAL: Record<string, string[]> = {
    'mail.external-forwarding': ['Exchange.ManageAsApp'],
    'identity.mfa-registration': ['RoleEligibilitySchedule.Read.Directory', 'AuditLog.Read.All'],
    'identity.mfa-enforcement': ['RoleEligibilitySchedule.Read.Directory'],
    'identity.password-policy': ['IdentityRiskyUser.Read.All'],
    'mailbox.access-audit': ['AuditLog.Read.All'],
    'files.external-sharing': ['AuditLogsQuery-OneDrive.Read.All', 'AuditLogsQuery-SharePoint.Read.All'],
  };

  it.each(ALL_CHECKS.map((c) => [c.id, c] as const))('%s: the directory reads are required, the optional parts optional, Intune only for devices', (id, check) => {
    const access = accessForParts(check.reads);
    expect(access.required.slice(0, 3)).toEqual(['User.Read.All', 'GroupMember.Read.All', 'RoleManagement.Read.Directory']);
    expect(access.optional).toEqual(OPTIONAL[id] ?? []);
    expect(access.licences).toEqual(id === 'devices.compliance' ? ['Intune'] : []);
  });
});
