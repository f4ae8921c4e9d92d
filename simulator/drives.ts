// Drive items as Graph shows them (driveItem JSON) and the writes that change them. Every change takes
// a new sequence number from the tenant, which is what delta tokens count.
import { randomUUID } from 'node:crypto';
import { stableId, itemContent, itemHashes, rootOf, ensureFolder, type SimDrive, type SimItem, type SimPermission, type TenantState } from './state';
import { collect } from './http';

export type ConflictBehavior = 'fail' | 'replace' | 'rename';

/** Marks an item (and its ancestors, as OneDrive's delta does) as changed now. */
export function touch(tenant: TenantState, drive: SimDrive, item: SimItem): void {
  const now = new Date().toISOString();
  item.modified = now;
  const chain: SimItem[] = [];
  for (let at: SimItem | undefined = item; at; at = at.parentId ? drive.items.get(at.parentId) : undefined) chain.unshift(at);
  // Root first, the item last: delta lists a folder before what changed inside it.
  for (const at of chain) at.seq = tenant.seq++;
}

export function childrenOf(drive: SimDrive, parent: SimItem): SimItem[] {
  return [...drive.items.values()].filter((i) => i.parentId === parent.id && !i.deleted);
}

/** parent id -> live children, built once per request so listing a big drive stays linear. */
export type ChildIndex = Map<string, SimItem[]>;

export function childIndex(drive: SimDrive): ChildIndex {
  const index: ChildIndex = new Map();
  for (const i of drive.items.values()) {
    if (i.deleted || !i.parentId) continue;
    const list = index.get(i.parentId);
    if (list) list.push(i);
    else index.set(i.parentId, [i]);
  }
  return index;
}

export function childNamed(drive: SimDrive, parent: SimItem, name: string): SimItem | undefined {
  const key = name.toLowerCase();
  return childrenOf(drive, parent).find((i) => i.name.toLowerCase() === key);
}

/** The item at a path below `from` (the root when absent); undefined when any segment is missing. */
export function itemByPath(drive: SimDrive, segments: string[], from?: SimItem): SimItem | undefined {
  let at: SimItem | undefined = from ?? rootOf(drive);
  for (const seg of segments) {
    at = at && childNamed(drive, at, seg);
    if (!at) return undefined;
  }
  return at;
}

/** '/Council/Planning' for an item's folder path below the root ('' for the root's children). */
export function folderPathOf(drive: SimDrive, item: SimItem): string {
  const names: string[] = [];
  for (let at = item.parentId ? drive.items.get(item.parentId) : undefined; at && !at.root; at = at.parentId ? drive.items.get(at.parentId) : undefined) names.unshift(at.name);
  return names.length ? `/${names.join('/')}` : '';
}

/** A name that does not clash in the folder: 'report 1.html', 'report 2.html', … (conflictBehavior rename). */
export function freeName(drive: SimDrive, parent: SimItem, name: string): string {
  if (!childNamed(drive, parent, name)) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 1; ; n++) if (!childNamed(drive, parent, `${stem} ${n}${ext}`)) return `${stem} ${n}${ext}`;
}

/** Creates or replaces a file's content. Returns undefined when conflictBehavior 'fail' meets an existing name. */
export function writeFile(tenant: TenantState, drive: SimDrive, parent: SimItem, name: string, content: Buffer, conflict: ConflictBehavior = 'replace'): SimItem | undefined {
  let item = childNamed(drive, parent, name);
  if (item && conflict === 'fail') return undefined;
  if (item && (conflict === 'rename' || item.folder)) {
    name = freeName(drive, parent, name);
    item = undefined;
  }
  if (!item) {
    const now = new Date().toISOString();
    item = { id: stableId(drive.id, 'item', parent.id, name, String(tenant.seq)), name, parentId: parent.id, folder: false, size: 0, created: now, modified: now, permissions: [], seq: 0 };
    drive.items.set(item.id, item);
  }
  item.content = content;
  item.size = content.length;
  item.hashes = undefined;
  touch(tenant, drive, item);
  return item;
}

/** Someone saves a new version of a file (as Word or OneNote would): new bytes, size, hashes and eTag. */
export function editFile(tenant: TenantState, drive: SimDrive, item: SimItem, note = 'edited'): void {
  const before = item.content ?? collect(itemContent(item));
  const parent = drive.items.get(item.parentId!)!;
  writeFile(tenant, drive, parent, item.name, Buffer.concat([before, Buffer.from(`\n${note} ${tenant.seq}\n`)]));
}

/** Resolves 'a/b/c.txt' below a parent into the parent folder (created as needed) and the leaf name. */
export function placeFor(tenant: TenantState, drive: SimDrive, parent: SimItem, relative: string[]): { folder: SimItem; name: string } {
  const name = relative[relative.length - 1];
  let folder = parent;
  if (relative.length > 1) {
    // ensureFolder works from the root; build the absolute segments of the parent first.
    const base = folderPathOf(drive, parent).split('/').filter(Boolean);
    folder = ensureFolder(tenant, drive, [...(parent.root ? [] : [...base, parent.name]), ...relative.slice(0, -1)]);
  }
  return { folder, name };
}

/**
 * Someone shares an item: the permission is added without changing the item (so delta lists it only when
 * asked, see routes/files.ts), and Purview records the sharing activity as "Use sharing auditing in the
 * audit log" and the Management Activity API's SharePoint schema describe it (ObjectId is the item's URL).
 */
export function shareItem(tenant: TenantState, drive: SimDrive, item: SimItem, permission: SimPermission, by: string): void {
  item.permissions.push(permission);
  item.sharingSeq = tenant.seq++;
  const url = String(itemView(drive, item).webUrl);
  const operation = permission.link?.scope === 'anonymous' ? 'AnonymousLinkCreated' : permission.link ? 'SecureLinkCreated' : 'SharingSet';
  const service = drive.siteId ? 'SharePoint' : 'OneDrive';
  const library = drive.webUrl.replace(/\/$/, '');
  const folder = folderPathOf(drive, item);
  const at = new Date().toISOString();
  tenant.auditRecords.push({
    id: randomUUID(), createdDateTime: at, auditLogRecordType: 'sharePointSharingOperation', operation, service,
    userPrincipalName: by, userId: by, objectId: url, clientIp: '203.0.113.30',
    auditData: {
      CreationTime: at, Operation: operation, Workload: service, UserId: by, ObjectId: url, ItemType: item.folder ? 'Folder' : 'File',
      SiteUrl: `${library.slice(0, library.lastIndexOf('/'))}/`, SourceRelativeUrl: `${library.slice(library.lastIndexOf('/') + 1)}${folder}`, SourceFileName: item.name,
    },
  });
}

function sharedScope(item: SimItem): string | undefined {
  const scopes = item.permissions.map((p) => p.link?.scope ?? 'users');
  if (!scopes.length) return undefined;
  return scopes.includes('anonymous') ? 'anonymous' : scopes.includes('organization') ? 'organization' : 'users';
}

export function driveView(d: SimDrive): Record<string, unknown> {
  return { id: d.id, name: d.name, driveType: d.siteId ? 'documentLibrary' : 'business', webUrl: d.webUrl, createdDateTime: '2020-01-01T00:00:00Z' };
}

/**
 * A driveItem. In delta responses parentReference carries no path (documented for business drives)
 * and a deleted item carries only its id, parent and the deleted facet.
 */
export function itemView(d: SimDrive, i: SimItem, opts: { delta?: boolean; index?: ChildIndex } = {}): Record<string, unknown> {
  const index = opts.index ?? childIndex(d);
  const kids = (x: SimItem) => index.get(x.id) ?? [];
  const driveType = d.siteId ? 'documentLibrary' : 'business';
  if (i.deleted) return { id: i.id, deleted: { state: 'deleted' }, parentReference: { driveId: d.id, driveType, id: i.parentId }, ...(i.package ? { package: {} } : i.folder ? { folder: {} } : { file: {} }) };
  const folderPath = folderPathOf(d, i);
  const parentReference = i.root
    ? { driveId: d.id, driveType }
    : { driveId: d.id, driveType, id: i.parentId, ...(opts.delta ? {} : { path: `/drives/${d.id}/root:${folderPath}` }) };
  const scope = sharedScope(i);
  return {
    id: i.id,
    name: i.name,
    size: treeSize(i, kids),
    createdDateTime: i.created,
    lastModifiedDateTime: i.modified,
    eTag: `"{${i.id.toUpperCase()}},${i.seq}"`,
    webUrl: i.root ? d.webUrl : `${d.webUrl}${folderPath.split('/').map(encodeURIComponent).join('/')}/${encodeURIComponent(i.name)}`,
    parentReference,
    ...(i.root ? { root: {} } : {}),
    ...(i.package
      ? { package: { type: i.package.type } }
      : i.remoteItem
        ? { remoteItem: { id: i.remoteItem.id, name: i.remoteItem.name, parentReference: { driveId: i.remoteItem.driveId }, folder: {} } }
        : i.folder
          ? { folder: { childCount: kids(i).length } }
          : { file: { mimeType: mimeTypeOf(i.name), hashes: itemHashes(i) } }),
    ...(scope ? { shared: { scope } } : {}),
  };
}

function treeSize(i: SimItem, kids: (x: SimItem) => SimItem[]): number {
  return i.folder ? kids(i).reduce((n, c) => n + treeSize(c, kids), 0) : i.size;
}

const MIME: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf', txt: 'text/plain', html: 'text/html', json: 'application/json', csv: 'text/csv',
  jpg: 'image/jpeg', png: 'image/png', eml: 'message/rfc822', zip: 'application/zip',
};

function mimeTypeOf(name: string): string {
  return MIME[name.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
}
