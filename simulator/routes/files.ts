// Drives: user OneDrives, site libraries, delta (with deltaLink tokens that return only changes),
// sharing permissions, and site lookup.
import { applySelect, notFound, page, type SimRequest } from '../http';
import { findUser, type SimDrive, type SimItem } from '../state';
import type { Route } from '.';

const ID = '([^/]+)';
const FILES_READ = ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'];

function driveView(d: SimDrive) {
  return { id: d.id, name: d.name, driveType: d.siteId ? 'documentLibrary' : 'business', webUrl: d.webUrl };
}

function itemView(d: SimDrive, i: SimItem): Record<string, unknown> {
  if (i.deleted) return { id: i.id, name: i.name, deleted: { state: 'deleted' }, parentReference: { driveId: d.id, id: i.parentId } };
  return {
    id: i.id, name: i.name, size: i.size, createdDateTime: i.created, lastModifiedDateTime: i.modified,
    // Business drives' delta carries no parentReference.path (documented), only ids.
    parentReference: i.root ? { driveId: d.id } : { driveId: d.id, id: i.parentId },
    ...(i.root ? { root: {} } : {}),
    ...(i.folder ? { folder: { childCount: [...d.items.values()].filter((c) => c.parentId === i.id && !c.deleted).length } } : { file: { mimeType: 'application/octet-stream', hashes: {} } }),
    ...(i.permissions.length ? { shared: { scope: i.permissions.some((p) => p.link?.scope === 'anonymous') ? 'anonymous' : 'users' } } : {}),
  };
}

function delta(req: SimRequest, d: SimDrive) {
  const token = req.query.get('token');
  // A token is the sequence number the tenant would give the next change, so changes made since the
  // token was issued have seq >= token.
  const since = token && token !== 'latest' ? Number(token) : token === 'latest' ? req.tenant.seq : 0;
  const changed = [...d.items.values()].filter((i) => i.seq >= since).sort((a, b) => a.seq - b.seq).map((i) => itemView(d, i));
  if (token === 'latest') return { status: 200, body: { value: [], '@odata.deltaLink': `${req.base}/drives/${d.id}/root/delta?token=${req.tenant.seq}` } };
  const res = page(req, changed, { defaultSize: 200, maxSize: 999 });
  const body = res.body as Record<string, unknown>;
  if (!body['@odata.nextLink']) body['@odata.deltaLink'] = `${req.base}/drives/${d.id}/root/delta?token=${req.tenant.seq}`;
  return res;
}

export const filesRoutes: Route[] = [
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/drive$`), roles: FILES_READ,
    handle: (req, m) => {
      const u = findUser(req.tenant, m[1]);
      if (!u) return notFound(m[1]);
      const d = u.driveId ? req.tenant.drives.get(u.driveId) : undefined;
      return d ? { status: 200, body: applySelect(driveView(d), req.query) } : { status: 404, body: { error: { code: 'itemNotFound', message: 'The user has no OneDrive.' } } };
    },
  },
  {
    method: 'GET', path: new RegExp(`^/drives/${ID}/root/delta$`), roles: FILES_READ,
    handle: (req, m) => { const d = req.tenant.drives.get(m[1]); return d ? delta(req, d) : notFound(m[1]); },
  },
  {
    method: 'GET', path: new RegExp(`^/drives/${ID}/items/${ID}/permissions$`), roles: FILES_READ,
    handle: (req, m) => {
      const item = req.tenant.drives.get(m[1])?.items.get(m[2]);
      return item && !item.deleted ? page(req, item.permissions as unknown as Record<string, unknown>[]) : notFound(m[2]);
    },
  },
  {
    method: 'DELETE', path: new RegExp(`^/drives/${ID}/items/${ID}/permissions/${ID}$`), roles: ['Files.ReadWrite.All', 'Sites.ReadWrite.All'],
    handle: (req, m) => {
      const item = req.tenant.drives.get(m[1])?.items.get(m[2]);
      if (!item || !item.permissions.some((p) => p.id === m[3])) return notFound(m[3]);
      item.permissions = item.permissions.filter((p) => p.id !== m[3]);
      item.seq = req.tenant.seq++;
      return { status: 204 };
    },
  },
  {
    method: 'GET', path: new RegExp(`^/drives/${ID}/items/${ID}$`), roles: FILES_READ,
    handle: (req, m) => {
      const d = req.tenant.drives.get(m[1]);
      const item = d?.items.get(m[2]);
      return d && item && !item.deleted ? { status: 200, body: applySelect(itemView(d, item), req.query) } : notFound(m[2]);
    },
  },
  {
    // Site by host-relative path: /sites/{hostname}:/sites/{path}
    method: 'GET', path: /^\/sites\/([^/:]+):(\/.+?):?$/, roles: ['Sites.Read.All', 'Sites.ReadWrite.All'],
    handle: (req, m) => {
      const s = req.tenant.sites.find((x) => x.hostname.toLowerCase() === m[1].toLowerCase() && x.path.toLowerCase() === m[2].toLowerCase());
      return s ? { status: 200, body: applySelect({ id: s.id, displayName: s.displayName, webUrl: `https://${s.hostname}${s.path}` }, req.query) } : notFound(`${m[1]}:${m[2]}`);
    },
  },
  {
    method: 'GET', path: /^\/sites\/([^/]+)$/, roles: ['Sites.Read.All', 'Sites.ReadWrite.All'],
    handle: (req, m) => {
      const s = req.tenant.sites.find((x) => x.id.toLowerCase() === m[1].toLowerCase());
      return s ? { status: 200, body: applySelect({ id: s.id, displayName: s.displayName, webUrl: `https://${s.hostname}${s.path}` }, req.query) } : notFound(m[1]);
    },
  },
  {
    method: 'GET', path: /^\/sites\/([^/]+)\/drives$/, roles: ['Sites.Read.All', 'Sites.ReadWrite.All', 'Files.Read.All'],
    handle: (req, m) => {
      const s = req.tenant.sites.find((x) => x.id.toLowerCase() === m[1].toLowerCase());
      return s ? page(req, s.driveIds.map((id) => driveView(req.tenant.drives.get(id)!))) : notFound(m[1]);
    },
  },
];
