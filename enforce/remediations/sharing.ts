// sharing: remove "anyone with the link" sharing from council files. The link's details (type, roles,
// expiry, URL) go in the log. Undo creates an anyone-link of the same type and expiry on the same item:
// SharePoint issues a new URL (Graph cannot recreate a deleted link's URL), which the undo result names.
import type { ActionExecutor, PlannedAction, Remediation } from '../types';
import { clauseNumbers, ENC, findingsOf, isBreakGlass } from './common';
import { WRITE_FEATURE_ENDPOINTS, permissionsOf } from '../../graph/permissions';

const CHECK = 'files.external-sharing';

interface Permission { id: string; roles?: string[]; expirationDateTime?: string; link?: { scope?: string; type?: string; webUrl?: string } }

const permissionsPath = (driveId: string, itemId: string) => `/drives/${ENC(driveId)}/items/${ENC(itemId)}/permissions`;

async function listPermissions(ctx: Parameters<ActionExecutor['read']>[0], driveId: string, itemId: string): Promise<Permission[] | undefined> {
  return ctx.graph.pageAll<Permission>(permissionsPath(driveId, itemId), ['id', 'roles', 'link', 'expirationDateTime', 'grantedToV2', 'grantedToIdentitiesV2']).catch((err: { status?: number }) => {
    if (err?.status === 404) return undefined;
    throw err;
  });
}

const stateOf = (p: Permission | undefined) => (p ? { exists: true, scope: p.link?.scope ?? null, type: p.link?.type ?? null } : { exists: false });

const executors: Record<string, ActionExecutor> = {
  'remove-anyone-link': {
    async read(ctx, a) {
      const [driveId, itemId, permissionId] = a.target.id.split('/');
      const perms = await listPermissions(ctx, driveId, itemId);
      return perms ? stateOf(perms.find((p) => p.id === permissionId)) : undefined;
    },
    // After undo the link has a new id: look for an anyone-link of the same type on the item.
    async readAfterUndo(ctx, a) {
      const [driveId, itemId] = a.target.id.split('/');
      const perms = await listPermissions(ctx, driveId, itemId);
      return perms ? stateOf(perms.find((p) => p.link?.scope === 'anonymous' && p.link?.type === a.before.type)) : undefined;
    },
  },
};

export const sharing: Remediation = {
  name: 'sharing',
  title: 'Anyone-links on council files',
  permissions: permissionsOf(WRITE_FEATURE_ENDPOINTS['enforce.sharing']),
  executors,
  async plan(input, notes) {
    const out: Omit<PlannedAction, 'id'>[] = [];
    const findings = findingsOf(input, CHECK, ['anyone-link']).filter((f) => {
      if (!isBreakGlass(input, f.subject.userPrincipalName)) return true;
      notes.push(`Not planned: sharing on break-glass account ${f.subject.userPrincipalName}'s files.`);
      return false;
    });
    // Every flagged item's current permissions in $batch, for the links' full details (type, expiry).
    const lists = await input.graph.batch(findings.map((f) => ({ method: 'GET' as const, url: permissionsPath(String(f.evidence.driveId), String(f.evidence.itemId)) })));
    for (const [i, f] of findings.entries()) {
      const driveId = String(f.evidence.driveId);
      const itemId = String(f.evidence.itemId);
      if (lists[i].status === 404) { notes.push(`Not planned: "${f.subject.name}" no longer exists.`); continue; }
      if (lists[i].error) throw lists[i].error;
      const perms = (lists[i].body as { value?: Permission[] }).value ?? [];
      for (const link of (f.evidence.links as { permissionId: string }[] | undefined) ?? []) {
        const p = perms.find((x) => x.id === link.permissionId);
        if (!p || p.link?.scope !== 'anonymous') continue;
        const path = `${permissionsPath(driveId, itemId)}/${ENC(p.id)}`;
        const recreate = { type: p.link.type ?? 'view', scope: 'anonymous', ...(p.expirationDateTime ? { expirationDateTime: p.expirationDateTime } : {}) };
        out.push({
          remediation: 'sharing', kind: 'remove-anyone-link', findingIds: [f.id], clauses: clauseNumbers(input, [f]),
          target: { type: 'file', id: `${driveId}/${itemId}/${p.id}`, name: String(f.evidence.path ?? f.subject.name), userPrincipalName: f.subject.userPrincipalName },
          description: `Remove the "anyone with the link" ${p.link.type ?? ''} link from "${String(f.evidence.path ?? f.subject.name)}"; people who need it can be given access by name.`,
          call: { api: 'graph', method: 'DELETE', path },
          before: stateOf(p), after: { exists: false },
          undo: { description: `Create an anyone-link of the same type (${recreate.type})${p.expirationDateTime ? ` and expiry (${p.expirationDateTime})` : ''}; it has a new address.`, call: { api: 'graph', method: 'POST', path: `/drives/${ENC(driveId)}/items/${ENC(itemId)}/createLink`, body: recreate } },
          record: p,
        });
      }
    }
    return out;
  },
};
