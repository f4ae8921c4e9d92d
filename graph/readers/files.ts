// Drive reads through delta: the first night reads every item, later nights only what changed (the
// delta link and the item index are kept in the store). Metadata only, never file contents.
import type { GraphContext } from '..';
import type { DriveItemSummary, DriveSnapshot, SharingPermission } from '../../core/snapshot';
import { parseUtcInstant } from '../../core/instant';

interface RawDriveItem {
  id: string;
  name?: string;
  size?: number;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  folder?: object;
  file?: object;
  root?: object;
  shared?: object;
  deleted?: object;
  parentReference?: { id?: string };
}

/**
 * An item's own (not inherited) sharing permissions as last read, kept in its drive's index so a later
 * night need not read them again while the item is unchanged: short keys, only what the check judges.
 */
export interface StoredPermission {
  id: string;
  roles: string[];
  /** link scope: anonymous, organization, users */
  scope?: string;
  /** grantees: display name and address */
  to: { n?: string; e?: string }[];
}

/** What we keep between nights for one drive: enough to rebuild paths from parent ids. */
export interface DriveIndex {
  deltaLink?: string;
  /** `perms` absent: never read (or dropped when the item changed), so the next read must ask Graph. */
  items: Record<string, { name: string; parentId?: string; size: number; created: string; modified: string; folder: boolean; root: boolean; shared: boolean; perms?: StoredPermission[] }>;
  /**
   * Tonight's delta round, never stored: `full` when the drive was read from scratch (first night or a
   * 410 resync), else the ids the round listed. Items it did not list are unchanged since last night.
   */
  round?: { full: boolean; changed: string[] };
}

/** The index as it is kept between nights (without tonight's round). */
export function storedIndex(index: DriveIndex): DriveIndex {
  return { deltaLink: index.deltaLink, items: index.items };
}

export function toStoredPermission(p: SharingPermission): StoredPermission {
  return {
    id: p.permissionId,
    roles: p.roles,
    ...(p.linkScope ? { scope: p.linkScope } : {}),
    to: p.grantedTo.map((g) => ({ ...(g.displayName ? { n: g.displayName } : {}), ...(g.email ? { e: g.email } : {}) })),
  };
}

export function fromStoredPermission(driveId: string, itemId: string, p: StoredPermission): SharingPermission {
  return {
    driveId, itemId, permissionId: p.id, roles: p.roles, ...(p.scope ? { linkScope: p.scope } : {}),
    grantedTo: p.to.map((g) => ({ ...(g.n ? { displayName: g.n } : {}), ...(g.e ? { email: g.e } : {}) })), inherited: false,
  };
}

export const DELTA_SELECT = ['id', 'name', 'size', 'createdDateTime', 'lastModifiedDateTime', 'folder', 'file', 'root', 'shared', 'deleted', 'parentReference'];

/**
 * Applies one delta round to the index. A 410 (resync required) restarts from a full read, as the
 * delta documentation asks.
 */
export async function syncDriveIndex(graph: GraphContext, driveId: string, index: DriveIndex | undefined): Promise<DriveIndex> {
  const start = index?.deltaLink;
  try {
    return await applyDelta(graph, driveId, start ? index! : { items: {} }, start);
  } catch (err) {
    if (start && (err as { status?: number }).status === 410) return applyDelta(graph, driveId, { items: {} }, undefined);
    throw err;
  }
}

async function applyDelta(graph: GraphContext, driveId: string, index: DriveIndex, deltaLink: string | undefined): Promise<DriveIndex> {
  const { values, deltaLink: next } = await graph.delta<RawDriveItem>(deltaLink ?? `/drives/${driveId}/root/delta`, DELTA_SELECT);
  return mergeDelta(index, values, next);
}

/** A delta or next link made relative to the API version, as a $batch item's url must be. */
function batchUrl(link: string): string {
  return link.replace(/^https:\/\/[^/]+\/(v1\.0|beta)/i, '');
}

/**
 * Every drive's delta round at once: the first page of each goes out in $batch (20 drives a request),
 * and only drives with more pages follow their nextLink one by one. Most nights most drives have
 * nothing or one page of changes, so a tenant of N councillors costs about N/20 requests, not N.
 */
export async function syncDriveIndexes(
  graph: GraphContext,
  drives: { driveId: string; index?: DriveIndex }[],
  concurrency = 4,
  /** A drive that no longer exists (404): reported here and left out, instead of failing the read. */
  onMissing?: (driveId: string) => void,
): Promise<Map<string, DriveIndex>> {
  const out = new Map<string, DriveIndex>();
  const first = await graph.batch(drives.map((d) => ({
    method: 'GET' as const,
    url: d.index?.deltaLink ? batchUrl(d.index.deltaLink) : `/drives/${encodeURIComponent(d.driveId)}/root/delta?$select=${DELTA_SELECT.join(',')}`,
  })));
  const rest: { driveId: string; index: DriveIndex; values: RawDriveItem[]; nextLink: string }[] = [];
  for (const [i, d] of drives.entries()) {
    const res = first[i];
    const resync = res.status === 410 && !!d.index?.deltaLink;
    if (resync) { out.set(d.driveId, await syncDriveIndex(graph, d.driveId, undefined)); continue; }
    if (res.status === 404 && onMissing) { onMissing(d.driveId); continue; }
    if (res.error) throw res.error;
    const page = res.body as { value?: RawDriveItem[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
    const base = d.index?.deltaLink ? d.index : { items: {} };
    if (page['@odata.nextLink']) rest.push({ driveId: d.driveId, index: base, values: page.value ?? [], nextLink: page['@odata.nextLink'] });
    else out.set(d.driveId, mergeDelta(base, page.value ?? [], page['@odata.deltaLink']));
  }
  // Drives with more than one page: follow each one's links, a few drives at a time.
  for (let i = 0; i < rest.length; i += concurrency) {
    await Promise.all(rest.slice(i, i + concurrency).map(async (r) => {
      const more = await graph.delta<RawDriveItem>(r.nextLink, DELTA_SELECT);
      out.set(r.driveId, mergeDelta(r.index, [...r.values, ...more.values], more.deltaLink));
    }));
  }
  return out;
}

function mergeDelta(index: DriveIndex, values: RawDriveItem[], next: string | undefined): DriveIndex {
  // A round that starts from an index without a deltaLink read the whole drive.
  const full = !index.deltaLink;
  const items = { ...index.items };
  for (const item of values) {
    if (item.deleted) {
      delete items[item.id];
      continue;
    }
    items[item.id] = {
      name: item.name ?? item.id,
      parentId: item.parentReference?.id,
      size: item.size ?? 0,
      created: item.createdDateTime ?? '',
      modified: item.lastModifiedDateTime ?? item.createdDateTime ?? '',
      folder: !!item.folder,
      root: !!item.root,
      shared: !!item.shared,
    };
  }
  return { deltaLink: next, items, round: { full, changed: values.map((v) => v.id) } };
}

/** Delta responses carry no parentReference.path for business drives, so paths come from parent ids. */
export function driveSnapshotFromIndex(driveId: string, index: DriveIndex, extra: { ownerUserId?: string; webUrl?: string } = {}): DriveSnapshot {
  const pathCache = new Map<string, string>();
  const pathOf = (id: string, depth = 0): string => {
    const cached = pathCache.get(id);
    if (cached !== undefined) return cached;
    const item = index.items[id];
    if (!item || item.root || depth > 64) return '';
    const path = `${item.parentId ? pathOf(item.parentId, depth + 1) : ''}/${item.name}`;
    pathCache.set(id, path);
    return path;
  };
  const items: DriveItemSummary[] = [];
  for (const [id, item] of Object.entries(index.items)) {
    if (item.root) continue;
    const lastChanged = parseUtcInstant(item.modified) ?? parseUtcInstant(item.created);
    items.push({ id, path: pathOf(id), size: item.size, lastChangedMs: lastChanged?.toMillis(), isFolder: item.folder, shared: item.shared });
  }
  items.sort((a, b) => a.path.localeCompare(b.path));
  return { driveId, ...extra, items };
}

/** OneDrive of each user (null where the user has none). */
export async function readUserDrives(graph: GraphContext, userIds: string[]): Promise<Record<string, { id: string; webUrl?: string } | null>> {
  const responses = await graph.batch(userIds.map((id) => ({ method: 'GET' as const, url: `/users/${id}/drive?$select=id,webUrl` })));
  const out: Record<string, { id: string; webUrl?: string } | null> = {};
  responses.forEach((res, i) => {
    if (res.status === 404) out[userIds[i]] = null;
    else if (res.status === 200) out[userIds[i]] = res.body as { id: string; webUrl?: string };
    else throw res.error ?? new Error(`OneDrive of ${userIds[i]}: HTTP ${res.status}`);
  });
  return out;
}

/** The council's library: the site by id or URL, then the drive whose name is the library's. */
export async function findSiteLibrary(graph: GraphContext, site: { siteId?: string; siteUrl?: string }, library: string): Promise<{ siteId: string; driveId: string; webUrl?: string } | null> {
  let siteId = site.siteId;
  if (!siteId && site.siteUrl) {
    const url = new URL(site.siteUrl);
    const found = await graph.get<{ id: string }>(`/sites/${url.hostname}:${url.pathname.replace(/\/$/, '')}`, ['id']);
    siteId = found.id;
  }
  if (!siteId) return null;
  const drives = await graph.pageAll<{ id: string; name: string; webUrl?: string }>(`/sites/${siteId}/drives`, ['id', 'name', 'webUrl']);
  const drive = drives.find((d) => d.name.toLowerCase() === library.toLowerCase());
  return drive ? { siteId, driveId: drive.id, webUrl: drive.webUrl } : null;
}

/** Sharing permissions of the items that carry a `shared` facet only (cheap), batched. */
export async function readSharingPermissions(graph: GraphContext, items: { driveId: string; itemId: string }[]): Promise<SharingPermission[]> {
  // Each response becomes its permissions as it arrives, so the raw bodies are not all held at once.
  const perItem = await graph.batchMap(items.map((it) => ({ method: 'GET' as const, url: `/drives/${it.driveId}/items/${it.itemId}/permissions` })), (res, i) => {
    if (res.status === 404) return []; // deleted since the delta was read
    if (res.status !== 200) throw res.error ?? new Error(`permissions of item ${items[i].itemId}: HTTP ${res.status}`);
    const out: SharingPermission[] = [];
    for (const p of (res.body as { value?: RawPermission[] }).value ?? []) {
      out.push({
        driveId: items[i].driveId,
        itemId: items[i].itemId,
        permissionId: p.id,
        roles: p.roles ?? [],
        linkScope: p.link?.scope,
        grantedTo: grantees(p),
        inherited: !!p.inheritedFrom,
      });
    }
    return out;
  });
  return perItem.flat();
}

interface RawIdentity { displayName?: string; email?: string; userPrincipalName?: string; id?: string }
interface RawPermission {
  id: string;
  roles?: string[];
  link?: { scope?: string; type?: string };
  inheritedFrom?: object;
  grantedToV2?: { user?: RawIdentity; siteUser?: RawIdentity & { loginName?: string } };
  grantedToIdentitiesV2?: { user?: RawIdentity; siteUser?: RawIdentity }[];
  invitation?: { email?: string };
}

function grantees(p: RawPermission): SharingPermission['grantedTo'] {
  const people: RawIdentity[] = [];
  if (p.grantedToV2?.user) people.push(p.grantedToV2.user);
  else if (p.grantedToV2?.siteUser) people.push(p.grantedToV2.siteUser);
  for (const g of p.grantedToIdentitiesV2 ?? []) if (g.user ?? g.siteUser) people.push((g.user ?? g.siteUser)!);
  const out = people.map((u) => ({ displayName: u.displayName, email: u.email ?? u.userPrincipalName }));
  if (p.invitation?.email && !out.some((o) => o.email?.toLowerCase() === p.invitation!.email!.toLowerCase())) out.push({ displayName: undefined, email: p.invitation.email });
  return out;
}
