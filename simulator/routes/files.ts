// Drives: user OneDrives, site libraries, delta (with deltaLink tokens that return only changes),
// items by id or path, children, new folders, deletion, sharing permissions, content, site lookup.
import { randomBytes } from 'node:crypto';
import { applySelect, badRequest, collect, graphError, page, unescapeSegment, type GeneratedBody, type SimRequest, type SimResponse } from '../http';
import { findUser, itemContent, rootOf, stableId, type SimDrive, type SimItem, type TenantState } from '../state';
import { childIndex, childNamed, childrenOf, driveView, editFile, freeName, itemByPath, itemView, touch } from '../drives';
import type { Route } from '.';

const ID = '([^/]+)';
const FILES_READ = ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'];
const FILES_WRITE = ['Files.ReadWrite.All', 'Sites.ReadWrite.All', 'Sites.Manage.All', 'Sites.FullControl.All'];
const SITES_READ = ['Sites.Read.All', 'Sites.ReadWrite.All', 'Sites.Manage.All', 'Sites.FullControl.All'];

export const itemNotFound = () => graphError(404, 'itemNotFound', 'The resource could not be found.');
export const readOnly = () => graphError(403, 'accessDenied', 'Access denied. You do not have permission to perform this action or access this resource.');

/** The item a path addresses: /drives/{d}/root, /drives/{d}/items/{id}, optionally followed by :/relative/path: */
export function addressed(req: SimRequest, driveId: string, itemId: string | undefined, relative?: string): { drive: SimDrive; item: SimItem } | SimResponse {
  const drive = req.tenant.drives.get(driveId);
  if (!drive) return itemNotFound();
  const base = itemId && itemId !== 'root' ? drive.items.get(itemId) : rootOf(drive);
  if (!base || base.deleted) return itemNotFound();
  const item = relative ? itemByPath(drive, segmentsOf(relative), base) : base;
  return item ? { drive, item } : itemNotFound();
}

/** Names in an addressed path; the server left only %2F and %25 encoded. */
export const segmentsOf = (p: string) => p.split('/').filter(Boolean).map(unescapeSegment);
export const isResponse = (x: unknown): x is SimResponse => !!x && typeof x === 'object' && 'status' in x;

function delta(req: SimRequest, d: SimDrive): SimResponse {
  const token = req.query.get('token');
  // A token is the sequence number the tenant will give the next change, so the changes made since
  // the token was issued are the items whose seq is at least the token.
  if (token === 'latest') return { status: 200, body: { '@odata.context': `${req.base}/$metadata#Collection(driveItem)`, value: [], '@odata.deltaLink': `${req.base}/drives/${d.id}/root/delta?token=${req.tenant.seq}` } };
  const since = token ? Number(token) : 0;
  if (token && (!Number.isInteger(since) || since < (req.tenant.deltaResyncBefore ?? 0))) {
    const r = graphError(410, 'resyncRequired', 'Resync required. Replace any local items with the server\'s version (including deletes) if you\'re sure that the service was up to date with your local changes when you last sync\'d.');
    return { ...r, headers: { ...r.headers, Location: `${req.base}/drives/${d.id}/root/delta` } };
  }
  const index = childIndex(d);
  // "driveItem: delta" (scanning permissions hierarchies): a sharing change on an unchanged item is
  // listed only with all three Prefer values, and processing it needs Sites.FullControl.All.
  const prefer = (req.headers.prefer ?? '').toLowerCase();
  const showSharing = ['deltashowremovedasdeleted', 'deltatraversepermissiongaps', 'deltashowsharingchanges'].every((v) => prefer.includes(v))
    && req.roles.includes('Sites.FullControl.All');
  const sharedChanged = (i: SimItem) => showSharing && !!token && (i.sharingSeq ?? -1) >= since;
  const changed = [...d.items.values()]
    .filter((i) => (i.seq >= since || sharedChanged(i)) && !(i.deleted && !token))
    .sort((a, b) => Math.max(a.seq, sharedChanged(a) ? a.sharingSeq! : -1) - Math.max(b.seq, sharedChanged(b) ? b.sharingSeq! : -1))
    .map((i) => ({ ...itemView(d, i, { delta: true, index }), ...(sharedChanged(i) ? { '@microsoft.graph.sharedChanged': 'True' } : {}) }));
  const res = page(req, changed, { defaultSize: 200, maxSize: 999 });
  const body = res.body as Record<string, unknown>;
  if (!body['@odata.nextLink'] && res.status === 200) body['@odata.deltaLink'] = `${req.base}/drives/${d.id}/root/delta?token=${req.tenant.seq}`;
  return res;
}

function siteView(s: { id: string; hostname: string; path: string; displayName: string }) {
  return { id: s.id, name: s.path.split('/').pop(), displayName: s.displayName, webUrl: `https://${s.hostname}${s.path}`, siteCollection: { hostname: s.hostname } };
}

export const filesRoutes: Route[] = [
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/drive$`), roles: FILES_READ,
    handle: (req, m) => {
      const u = findUser(req.tenant, m[1]);
      if (!u) return graphError(404, 'Request_ResourceNotFound', `Resource '${m[1]}' does not exist or one of its queried reference-property objects are not present.`);
      const d = u.driveId ? req.tenant.drives.get(u.driveId) : undefined;
      return d ? { status: 200, body: applySelect(driveView(d), req.query) } : graphError(404, 'itemNotFound', 'The user\'s OneDrive has not been provisioned.');
    },
  },
  {
    method: 'GET', path: new RegExp(`^/drives/${ID}$`), roles: FILES_READ,
    handle: (req, m) => { const d = req.tenant.drives.get(m[1]); return d ? { status: 200, body: applySelect(driveView(d), req.query) } : itemNotFound(); },
  },
  {
    method: 'GET', path: new RegExp(`^/drives/${ID}/root/delta$`), roles: FILES_READ,
    handle: (req, m) => { const d = req.tenant.drives.get(m[1]); return d ? delta(req, d) : itemNotFound(); },
  },
  {
    method: 'GET', path: new RegExp(`^/drives/${ID}/items/${ID}/permissions$`), roles: FILES_READ,
    handle: (req, m) => {
      const at = addressed(req, m[1], m[2]);
      return isResponse(at) ? at : page(req, at.item.permissions as unknown as Record<string, unknown>[]);
    },
  },
  {
    method: 'DELETE', path: new RegExp(`^/drives/${ID}/items/${ID}/permissions/${ID}$`), roles: FILES_WRITE,
    handle: (req, m) => {
      const at = addressed(req, m[1], m[2]);
      if (isResponse(at)) return at;
      if (!at.item.permissions.some((p) => p.id === m[3])) return itemNotFound();
      if (at.drive.readOnly) return readOnly();
      at.item.permissions = at.item.permissions.filter((p) => p.id !== m[3]);
      touch(req.tenant, at.drive, at.item);
      return { status: 204 };
    },
  },
  {
    // /drives/{d}/root, /drives/{d}/items/{i}, and either followed by :/path: (item by path)
    method: 'GET', path: new RegExp(`^/drives/${ID}/(?:root|items/([^/:]+))(?::(/[^:]+?):?)?$`), roles: FILES_READ,
    handle: (req, m) => {
      const at = addressed(req, m[1], m[2], m[3]);
      return isResponse(at) ? at : { status: 200, body: applySelect(itemView(at.drive, at.item), req.query) };
    },
  },
  {
    method: 'GET', path: new RegExp(`^/drives/${ID}/(?:root|items/([^/:]+))(?::(/[^:]+?):)?/children$`), roles: FILES_READ,
    handle: (req, m) => {
      const at = addressed(req, m[1], m[2], m[3]);
      if (isResponse(at)) return at;
      if (!at.item.folder) return badRequest('The item is not a folder.');
      const index = childIndex(at.drive);
      return page(req, (index.get(at.item.id) ?? []).sort((a, b) => a.name.localeCompare(b.name)).map((i) => itemView(at.drive, i, { index })), { defaultSize: 200, maxSize: 999 });
    },
  },
  {
    method: 'POST', path: new RegExp(`^/drives/${ID}/(?:root|items/([^/:]+))(?::(/[^:]+?):)?/children$`), roles: FILES_WRITE,
    handle: (req, m) => {
      const at = addressed(req, m[1], m[2], m[3]);
      if (isResponse(at)) return at;
      if (at.drive.readOnly) return readOnly();
      const body = req.json<{ name?: string; folder?: object; '@microsoft.graph.conflictBehavior'?: string }>();
      if (!body.name || !body.folder) return badRequest('A new folder needs a name and a folder facet.');
      if (/["*:<>?/\\|]/.test(body.name)) return graphError(400, 'invalidRequest', 'The provided name contains invalid characters.');
      const existing = childNamed(at.drive, at.item, body.name);
      const behavior = body['@microsoft.graph.conflictBehavior'] ?? 'fail';
      if (existing && behavior === 'fail') return graphError(409, 'nameAlreadyExists', 'The specified item name already exists.');
      if (existing && behavior === 'replace' && existing.folder) return { status: 201, body: itemView(at.drive, existing) };
      const name = existing ? freeName(at.drive, at.item, body.name) : body.name;
      const now = new Date().toISOString();
      const folder: SimItem = { id: stableId(at.drive.id, 'folder', at.item.id, name, String(req.tenant.seq)), name, parentId: at.item.id, folder: true, size: 0, created: now, modified: now, permissions: [], seq: 0 };
      at.drive.items.set(folder.id, folder);
      touch(req.tenant, at.drive, folder);
      return { status: 201, body: itemView(at.drive, folder) };
    },
  },
  {
    method: 'DELETE', path: new RegExp(`^/drives/${ID}/items/${ID}$`), roles: FILES_WRITE,
    handle: (req, m) => {
      const at = addressed(req, m[1], m[2]);
      if (isResponse(at)) return at;
      if (at.item.root) return graphError(403, 'accessDenied', 'The root of a drive cannot be deleted.');
      if (at.drive.readOnly) return readOnly();
      const gone = (i: SimItem): void => {
        for (const c of childrenOf(at.drive, i)) gone(c);
        i.deleted = true;
        i.seq = req.tenant.seq++;
      };
      gone(at.item);
      touch(req.tenant, at.drive, at.drive.items.get(at.item.parentId!)!);
      return { status: 204 };
    },
  },
  {
    method: 'GET', path: new RegExp(`^/drives/${ID}/(?:root|items/([^/:]+))(?::(/[^:]+?):)?/content$`), roles: FILES_READ,
    handle: (req, m) => {
      const at = addressed(req, m[1], m[2], m[3]);
      if (isResponse(at)) return at;
      if (at.item.folder) return badRequest('A folder has no content.');
      if (at.item.editsAfterRead) {
        // The reader gets this version; the file is saved again straight after.
        const bytes = collect(itemContent(at.item));
        at.item.editsAfterRead--;
        editFile(req.tenant, at.drive, at.item, 'edited while being copied');
        return redirectToDownload(req, { length: bytes.length, chunks: () => [bytes] });
      }
      return redirectToDownload(req, itemContent(at.item));
    },
  },
  {
    // Site by host-relative path: /sites/{hostname}:/sites/{path}
    method: 'GET', path: /^\/sites\/([^/:]+):(\/.+?):?$/, roles: SITES_READ,
    handle: (req, m) => {
      const s = req.tenant.sites.find((x) => x.hostname.toLowerCase() === m[1].toLowerCase() && x.path.toLowerCase() === unescapeSegment(m[2]).replace(/\/$/, '').toLowerCase());
      return s ? { status: 200, body: applySelect(siteView(s), req.query) } : graphError(404, 'itemNotFound', 'Requested site could not be found');
    },
  },
  {
    method: 'GET', path: /^\/sites\/([^/:]+)$/, roles: SITES_READ,
    handle: (req, m) => {
      const s = req.tenant.sites.find((x) => x.id.toLowerCase() === m[1].toLowerCase());
      return s ? { status: 200, body: applySelect(siteView(s), req.query) } : graphError(404, 'itemNotFound', 'Requested site could not be found');
    },
  },
  {
    method: 'GET', path: /^\/sites\/([^/:]+)\/drives$/, roles: [...SITES_READ, 'Files.Read.All', 'Files.ReadWrite.All'],
    handle: (req, m) => {
      const s = req.tenant.sites.find((x) => x.id.toLowerCase() === m[1].toLowerCase());
      return s ? page(req, s.driveIds.map((id) => driveView(req.tenant.drives.get(id)!))) : graphError(404, 'itemNotFound', 'Requested site could not be found');
    },
  },
];

/** How long a pre-authenticated download URL works: "only valid for a short period of time (a few minutes)". */
const DOWNLOAD_URL_TTL_MS = 5 * 60 * 1000;

/**
 * GET .../content answers "302 Found" with a pre-authenticated download URL in Location, the same URL as
 * the item's @microsoft.graph.downloadUrl; the download itself needs no Authorization header and is
 * SharePoint's, not a Graph request ("Download driveItem content").
 */
function redirectToDownload(req: SimRequest, content: GeneratedBody): SimResponse {
  const urls = req.tenant.downloadUrls;
  const now = Date.now();
  // Every URL lives as long, so the Map's insertion order is expiry order: the expired ones are at its front.
  for (const [old, d] of urls) {
    if (d.expires >= now) break;
    urls.delete(old);
  }
  const token = randomBytes(18).toString('base64url');
  urls.set(token, { content, expires: now + DOWNLOAD_URL_TTL_MS });
  const origin = req.base.replace(/\/(v1\.0|beta)$/, '');
  return { status: 302, headers: { Location: `${origin}/download/${token}` } };
}

/** A pre-authenticated download URL: the bytes, with no token needed; an expired or unknown one is refused. */
export function handleDownloadUrl(tenants: Iterable<TenantState>, token: string, method: string): SimResponse {
  if (method !== 'GET') return graphError(405, 'invalidRequest', 'A download URL answers GET only.');
  for (const t of tenants) {
    const d = t.downloadUrls.get(token);
    if (!d) continue;
    if (Date.now() > d.expires) {
      t.downloadUrls.delete(token);
      break;
    }
    return { status: 200, stream: d.content, headers: { 'Content-Type': 'application/octet-stream' } };
  }
  // Microsoft documents only that the URL stops working after a few minutes, not the status it then gives.
  return graphError(401, 'unauthenticated', 'The download URL has expired or is not valid.');
}
