// mfa: make a second factor required at sign-in for everyone in scope.
//  - 'automatic' without Entra ID P1: turn security defaults on (they cover everyone; they cannot be on
//    while Conditional Access policies exist, so only when there are none);
//  - 'automatic' with P1: create the Conditional Access policy "Require MFA — councillors and staff"
//    covering the councillor group, the clerk and staff, excluding the break-glass accounts, in
//    report-only state; a LATER plan (a separate approval, once the supplier has read the sign-in
//    report) switches it on;
//  - 'per-user' (the council's chosen mechanism): set each uncovered person's per-user MFA to enforced.
import { licencesFromSkus } from '../../graph/licences';
import { readSubscribedSkus } from '../../graph/readers/directory';
import { readPerUserMfa } from '../../graph/readers/identity';
import type { ActionExecutor, PlanningInput, PlannedAction, Remediation } from '../types';
import { clauseNumbers, ENC, findingsOf, isBreakGlass } from './common';
import { WRITE_FEATURE_ENDPOINTS, permissionsOf } from '../../graph/permissions';

const CHECK = 'identity.mfa-enforcement';
export const CA_POLICY_NAME = 'Require MFA — councillors and staff';
const REPORT_ONLY = 'enabledForReportingButNotEnforced';
const CA_PATH = '/identity/conditionalAccess/policies';
const SD_PATH = '/policies/identitySecurityDefaultsEnforcementPolicy';

interface CaPolicy { id: string; displayName?: string; state?: string }

async function ourPolicy(ctx: Parameters<ActionExecutor['read']>[0]): Promise<CaPolicy | undefined> {
  const all = await ctx.graph.pageAll<CaPolicy>(CA_PATH, ['id', 'displayName', 'state']);
  return all.find((p) => p.displayName === CA_POLICY_NAME);
}

/** Object ids of the named accounts, in $batch; an address with no account is left out (and noted). */
async function userIds(input: PlanningInput, upns: string[], notes: string[]): Promise<string[]> {
  const res = await input.graph.batch(upns.map((upn) => ({ method: 'GET' as const, url: `/users/${ENC(upn)}?$select=id` })));
  return res.flatMap((r, i) => {
    if (r.status === 200) return [(r.body as { id: string }).id];
    notes.push(`MFA: ${upns[i]} is in the council config but has no account in the tenant (HTTP ${r.status}); it is not in the policy.`);
    return [];
  });
}

async function groupId(input: PlanningInput): Promise<string | undefined> {
  const name = input.council.councillorGroup;
  if (/^[0-9a-f-]{36}$/i.test(name)) return name;
  const groups = await input.graph.pageAll<{ id: string; displayName: string }>('/groups', ['id', 'displayName'], { filter: `displayName eq '${name.replace(/'/g, "''")}'` });
  return groups[0]?.id;
}

const executors: Record<string, ActionExecutor> = {
  'security-defaults-on': {
    async read(ctx) {
      const p = await ctx.graph.get<{ isEnabled: boolean }>(SD_PATH);
      return { isEnabled: !!p.isEnabled };
    },
  },
  'create-mfa-policy-report-only': {
    async read(ctx) {
      const p = await ourPolicy(ctx);
      return p ? { exists: true, state: p.state ?? null } : { exists: false };
    },
  },
  'enable-mfa-policy': {
    async read(ctx) {
      const p = await ourPolicy(ctx);
      return p ? { exists: true, state: p.state ?? null } : undefined;
    },
  },
  'per-user-mfa-enforced': {
    async read(ctx, a) {
      return { perUserMfaState: (await readPerUserMfa(ctx.graph, [a.target.id]))[a.target.id] };
    },
  },
};

export const mfa: Remediation = {
  name: 'mfa',
  title: 'Multi-factor authentication',
  permissions: permissionsOf(WRITE_FEATURE_ENDPOINTS['enforce.mfa']),
  executors,
  async plan(input, notes) {
    const findings = findingsOf(input, CHECK, ['mfa-not-required']).filter((f) => {
      if (!isBreakGlass(input, f.subject.userPrincipalName)) return true;
      notes.push(`Not planned: MFA for break-glass account ${f.subject.userPrincipalName}; break-glass accounts stay outside MFA policies by design.`);
      return false;
    });
    if (!findings.length) return [];
    const clauses = clauseNumbers(input, findings);
    const ids = findings.map((f) => f.id);

    if (input.council.enforce.mfaMechanism === 'per-user') {
      const out: Omit<PlannedAction, 'id'>[] = [];
      const states = await readPerUserMfa(input.graph, findings.map((f) => f.subject.id));
      for (const f of findings) {
        const path = `/users/${ENC(f.subject.id)}/authentication/requirements`;
        const before = { perUserMfaState: states[f.subject.id] };
        out.push({
          remediation: 'mfa', kind: 'per-user-mfa-enforced', findingIds: [f.id], clauses: clauseNumbers(input, [f]),
          target: { type: 'user', id: f.subject.id, name: f.subject.name, userPrincipalName: f.subject.userPrincipalName },
          description: `Require MFA for ${f.subject.name} (per-user MFA: ${before.perUserMfaState} → enforced).`,
          call: { api: 'graph', method: 'PATCH', path, version: 'beta', body: { perUserMfaState: 'enforced' } },
          before, after: { perUserMfaState: 'enforced' },
          undo: { description: `Set per-user MFA back to ${before.perUserMfaState}.`, call: { api: 'graph', method: 'PATCH', path, version: 'beta', body: before } },
        });
      }
      return out;
    }

    const licences = licencesFromSkus(await readSubscribedSkus(input.graph));
    if (!licences.entraP1) {
      const sd = await input.graph.get<{ isEnabled: boolean }>(SD_PATH);
      if (sd.isEnabled) { notes.push('MFA: security defaults are already on; the people still reported need to register a method.'); return []; }
      return [{
        remediation: 'mfa', kind: 'security-defaults-on', findingIds: ids, clauses,
        target: { type: 'tenant', id: 'identitySecurityDefaultsEnforcementPolicy', name: 'security defaults' },
        description: `Turn on security defaults, so everyone (${findings.length} reported) must use MFA. The tenant has no Entra ID P1, so Conditional Access is not available.`,
        call: { api: 'graph', method: 'PATCH', path: SD_PATH, body: { isEnabled: true } },
        before: { isEnabled: false }, after: { isEnabled: true },
        undo: { description: 'Turn security defaults off again.', call: { api: 'graph', method: 'PATCH', path: SD_PATH, body: { isEnabled: false } } },
      }];
    }

    const existing = await ourPolicy(input);
    if (existing?.state === REPORT_ONLY) {
      const path = `${CA_PATH}/${ENC(existing.id)}`;
      return [{
        remediation: 'mfa', kind: 'enable-mfa-policy', findingIds: ids, clauses,
        target: { type: 'policy', id: existing.id, name: `Conditional Access policy "${CA_POLICY_NAME}"` },
        description: `Switch the report-only policy "${CA_POLICY_NAME}" on, so it requires MFA at sign-in. Check its sign-in report first: nobody who must keep working should appear as "would be blocked".`,
        call: { api: 'graph', method: 'PATCH', path, body: { state: 'enabled' } },
        before: { exists: true, state: REPORT_ONLY }, after: { exists: true, state: 'enabled' },
        undo: { description: 'Put the policy back in report-only state.', call: { api: 'graph', method: 'PATCH', path, body: { state: REPORT_ONLY } } },
      }];
    }
    if (existing) { notes.push(`MFA: the policy "${CA_POLICY_NAME}" exists (state ${existing.state}); the people still reported are outside it — check its exclusions.`); return []; }

    const group = await groupId(input);
    const include = await userIds(input, [input.council.clerk, ...input.council.staff], notes);
    const exclude = await userIds(input, input.council.breakGlass, notes);
    if (!exclude.length) notes.push('MFA: no break-glass account is configured (breakGlass); Microsoft recommends two, excluded from every Conditional Access policy.');
    const body = {
      displayName: CA_POLICY_NAME,
      state: REPORT_ONLY,
      conditions: {
        clientAppTypes: ['all'],
        applications: { includeApplications: ['All'] },
        users: { includeGroups: group ? [group] : [], includeUsers: include, excludeUsers: exclude },
      },
      grantControls: { operator: 'OR', builtInControls: ['mfa'] },
    };
    return [{
      remediation: 'mfa', kind: 'create-mfa-policy-report-only', findingIds: ids, clauses,
      target: { type: 'policy', id: CA_POLICY_NAME, name: `Conditional Access policy "${CA_POLICY_NAME}"` },
      description: `Create the Conditional Access policy "${CA_POLICY_NAME}" requiring MFA for the councillor group, the clerk and staff (break-glass accounts excluded), in report-only state. Switching it on is a separate plan, approved later.`,
      call: { api: 'graph', method: 'POST', path: CA_PATH, body },
      before: { exists: false }, after: { exists: true, state: REPORT_ONLY },
      undo: { description: 'Delete the policy CouncilGuard created.', call: { api: 'graph', method: 'DELETE', path: `${CA_PATH}/{createdId}` } },
    }];
  },
};
