// files.external-sharing: council files shared beyond the council.
//
// Per shared item (collect reads permissions only for items with a `shared` facet):
//   anyone-link   a link with scope 'anonymous' (anyone with the link, no sign-in)       high
//   external-people  a grant or specific-people link reaching a guest or an address outside the
//                 tenant's verified domains and the council's domains                   medium
// Organisation-only links are fine. Inherited permissions are skipped: they are reported on the item
// where the sharing was made, and site-wide membership would otherwise repeat on every item. A grantee
// with no email (a SharePoint group such as "Members") cannot be judged and is not reported.
// allowedForwardingDomains is about mail, so it does not make a sharing recipient internal.
import type { Check, EvaluationInput } from '../types';
import type { CheckOutcome, FindingSubject } from '../../core/findings';
import type { DriveItemSummary, DriveSnapshot, SharingPermission, SnapshotUser } from '../../core/snapshot';
import { OutcomeBuilder, requireParts } from '../outcome';
import { classifyAddress, trustedDomains } from '../addresses';
import { addressesOf, isGuest } from '../scope';
import { listWords, plural } from '../words';

const ID = 'files.external-sharing' as const;
const CLAUSES = {
  'anyone-link': ['files.sharing'],
  'external-people': ['files.sharing'],
};

interface ItemPlace {
  item?: DriveItemSummary;
  drive?: DriveSnapshot;
  where: 'onedrive' | 'library' | 'unknown';
}

function evaluate({ snapshot, council }: EvaluationInput): CheckOutcome {
  const required = requireParts(snapshot, ['users', 'sharingPermissions']);
  if ('outcome' in required) return required.outcome;
  const { users, sharingPermissions } = required.data;
  const out = new OutcomeBuilder();

  // Names and paths only: the finding stands without them, so these parts are not required.
  const oneDrives = out.optional(snapshot, 'oneDrives', 'item-names');
  const library = out.optional(snapshot, 'councilLibrary', 'item-names');
  const domains = out.optional(snapshot, 'domains', 'verified-domains') ?? [];
  // Delta misses sharing on files whose content did not change; Purview's sharing records fill the gap.
  const sharingAudit = snapshot.sharingAudit ? out.optional(snapshot, 'sharingAudit', 'sharing-on-unchanged-files') : undefined;
  if (sharingAudit?.uncoveredServices.length) {
    out.skipPart('sharing-on-unchanged-files', { code: 'missing-permission', detail: `sharing on ${sharingAudit.uncoveredServices.join(' and ')} files whose content did not change is seen only when the file changes (needs the application permission ${sharingAudit.uncoveredServices.map((s) => `AuditLogsQuery-${s}.Read.All`).join(' and ')})` });
  }

  if (sharingAudit?.truncated) {
    // Every shared item was read again tonight (collect), but a file shared for the first time without being
    // edited is seen only through its record, and the query stopped before all of them.
    out.skipPart('sharing-on-unchanged-files', { code: 'incomplete-results', detail: 'the Purview query for sharing changes stopped at its record limit, so a file shared for the first time without being edited may be seen only when it changes; the IT supplier can search the sharing activities in Microsoft Purview (Audit) in shorter periods' });
  }

  const members = users.filter((u) => !isGuest(u));
  const trusted = trustedDomains(
    [domains.filter((d) => d && d.isVerified).map((d) => d.id), council.domains],
    members.flatMap(addressesOf),
  );
  const guestAddresses = new Set(users.filter(isGuest).flatMap(addressesOf));
  const byId = new Map(users.map((u) => [u.id, u]));

  // Group permissions by item so one item gives at most one finding per kind.
  const byItem = new Map<string, SharingPermission[]>();
  for (const p of sharingPermissions ?? []) {
    if (!p || p.inherited) continue;
    const key = `${p.driveId}/${p.itemId}`;
    const list = byItem.get(key);
    if (list) list.push(p);
    else byItem.set(key, [p]);
  }

  // Where each shared item is (only those: a large tenant's drives hold far more items than are shared).
  const places = new Map<string, ItemPlace>();
  const index = (drive: DriveSnapshot | null | undefined, where: ItemPlace['where']) => {
    if (!drive) return;
    for (const item of drive.items ?? []) {
      const key = `${drive.driveId}/${item?.id}`;
      if (byItem.has(key)) places.set(key, { item, drive, where });
    }
  };
  for (const d of Object.values(oneDrives ?? {})) index(d, 'onedrive');
  index(library, 'library');

  for (const [key, perms] of byItem) {
    const place = places.get(key) ?? { where: 'unknown' as const };
    const owner: SnapshotUser | undefined = place.drive?.ownerUserId ? byId.get(place.drive.ownerUserId) : undefined;
    const subject = itemSubject(perms[0], place, owner);
    const where = place.where === 'library' ? ' in the council library' : owner ? ` in ${owner.displayName || owner.userPrincipalName}'s OneDrive` : place.where === 'onedrive' ? ' in a councillor\'s OneDrive' : '';

    const anyone = perms.filter((p) => (p.linkScope ?? '').toLowerCase() === 'anonymous');
    if (anyone.length) {
      out.add({
        checkId: ID,
        kind: 'anyone-link',
        key,
        severity: 'high',
        subject,
        clauses: CLAUSES['anyone-link'],
        summary: `"${subject.name}"${where} has ${anyone.length === 1 ? 'a link' : `${anyone.length} links`} that anyone can open without signing in.`,
        evidence: {
          driveId: perms[0].driveId,
          itemId: perms[0].itemId,
          ...(place.item?.path ? { path: place.item.path } : {}),
          links: anyone.map((p) => ({ permissionId: p.permissionId, roles: p.roles ?? [] })),
        },
        remediation: `Remove the "Anyone with the link" sharing on this ${place.item?.isFolder ? 'folder' : 'file'} (Manage access → delete the link) and, if someone outside needs it, share it with that named person instead. The IT supplier can also turn off "Anyone" links for the whole tenant in the SharePoint admin centre.`,
      });
    }

    const outsiders: { email: string; displayName?: string; why: 'guest' | 'external-domain'; permissionId: string; roles: string[] }[] = [];
    for (const p of perms) {
      if ((p.linkScope ?? '').toLowerCase() === 'anonymous' || (p.linkScope ?? '').toLowerCase() === 'organization') continue;
      for (const g of p.grantedTo ?? []) {
        const email = (g?.email ?? '').trim();
        if (!email) continue; // a SharePoint group or system principal: nothing to judge
        const guest = (g.userType ?? '').toLowerCase() === 'guest' || email.toLowerCase().includes('#ext#') || guestAddresses.has(email.toLowerCase());
        if (!guest && classifyAddress(email, trusted) === 'internal') continue;
        outsiders.push({ email, ...(g.displayName ? { displayName: g.displayName } : {}), why: guest ? 'guest' : 'external-domain', permissionId: p.permissionId, roles: p.roles ?? [] });
      }
    }
    if (outsiders.length) {
      const names = [...new Set(outsiders.map((o) => o.email))];
      out.add({
        checkId: ID,
        kind: 'external-people',
        key,
        severity: 'medium',
        subject,
        clauses: CLAUSES['external-people'],
        summary: `"${subject.name}"${where} is shared with ${plural(names.length, 'person', 'people')} outside the council: ${listWords(names.slice(0, 5))}${names.length > 5 ? ' and others' : ''}.`,
        evidence: {
          driveId: perms[0].driveId,
          itemId: perms[0].itemId,
          ...(place.item?.path ? { path: place.item.path } : {}),
          recipients: outsiders,
        },
        remediation: `Check with the clerk that each person listed needs this ${place.item?.isFolder ? 'folder' : 'file'}; remove access for anyone who does not (Manage access → Stop sharing for that person). Council business shared outside should normally go through the clerk.`,
      });
    }
  }
  return out.build();
}

function itemSubject(p: SharingPermission, place: ItemPlace, owner: SnapshotUser | undefined): FindingSubject {
  const upn = owner?.userPrincipalName?.trim();
  return {
    type: 'file',
    id: p.itemId,
    name: place.item?.path || p.itemId,
    ...(upn ? { userPrincipalName: upn } : {}),
  };
}

export const filesExternalSharing: Check = {
  id: ID,
  order: 20,
  title: 'Council files shared outside the council',
  clauses: CLAUSES,
  reads: ['users', 'domains', 'oneDrives', 'councilLibrary', 'sharingPermissions', 'sharingAudit'],
  evaluate,
};
