// collect: read the tenant into a TenantSnapshot, fetching only the parts the enabled checks declare.
// Each part is read on its own: a missing licence or permission for one part becomes that part's skip
// reason, and the others are still read.
import { DateTime } from 'luxon';
import pLimit from 'p-limit';
import { GraphRequestError, isNotLicensedError } from '../graph/errors';
import { licencesFromSkus } from '../graph/licences';
import { readDomains, readEligibleAdminRoles, readGroupMembers, readGroupsUserIds, readSubscribedSkus, readUsers } from '../graph/readers/directory';
import {
  readConditionalAccess,
  readExchangeSignIns,
  readMfaRegistrationFromMethods,
  readMfaRegistrationReport,
  readPerUserMfa,
  readRiskyUsers,
  readSecurityDefaults,
} from '../graph/readers/identity';
import { readInboxRules, readMailboxForwarding, readOrgForwardingPolicy } from '../graph/readers/mail';
import {
  driveSnapshotFromIndex,
  findSiteLibrary,
  fromStoredPermission,
  readSharingPermissions,
  readUserDrives,
  storedIndex,
  syncDriveIndex,
  syncDriveIndexes,
  toStoredPermission,
  type DriveIndex,
} from '../graph/readers/files';
import { awaitAuditQuery, readManagedDevices, startMailboxAuditQuery, startSharingAuditQuery } from '../graph/readers/audit';
import type { DriveSnapshot, Part, SharingPermission, SnapshotPart, SnapshotUser, TenantSnapshot } from '../core/snapshot';
import type { CouncilConfig } from '../policy/council-config';
import type { Store } from '../store';
import type { CouncilContext } from '../context/council-context';
import { inScopeUserIds, councillorIds, isGuest, withEligibleAdmins } from '../checks/scope';
import { mfaRequiredByPolicy } from '../checks/conditional-access';
import { isInputError } from '../core/errors';
import { errorDimensions } from '../core/logger';

/** What collect needs of the council context, the parts to read, and the run's instant. */
export interface CollectInput extends Pick<CouncilContext, 'graph' | 'council' | 'store' | 'log'> {
  parts: SnapshotPart[];
  /** The run's instant (ISO UTC), read once from the context's clock. */
  now: string;
  /** How long to wait for the Purview audit query before handing it to the next run. */
  auditQueryBudgetMs?: number;
}

const ok = <T>(data: T): Part<T> => ({ status: 'ok', data });
const notLicensed = <T>(licence: string): Part<T> => ({ status: 'unavailable', reason: { code: 'not-licensed', detail: `needs a ${licence} licence` } });
const notConnected = <T>(reason: string): Part<T> => ({ status: 'unavailable', reason: { code: 'not-connected', detail: reason } });

/** Turns a failed read into the part's reason: licence, permission, or a plain error. */
async function readPart<T>(what: string, read: () => Promise<T>, licenceName?: string): Promise<Part<T>> {
  try {
    return ok(await read());
  } catch (err) {
    // A configuration problem found in the tenant (a councillor group name that matches two groups) is the
    // council's to fix, not a part to skip: it stops this council's audit with the fix.
    if (isInputError(err)) throw err;
    if (isNotLicensedError(err)) return notLicensed(licenceName ?? 'premium');
    if (err instanceof GraphRequestError && (err.status === 403 || err.status === 401)) {
      return { status: 'unavailable', reason: { code: 'missing-permission', detail: err.permission ? `needs the application permission ${err.permission}` : `Graph refused ${what} (${err.code})` } };
    }
    return { status: 'error', error: `reading ${what} failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export async function collectSnapshot(input: CollectInput): Promise<TenantSnapshot> {
  const { graph, council, store, now, log } = input;
  const want = new Set<SnapshotPart>(input.parts);
  const snapshot: TenantSnapshot = {
    tenantId: council.tenantId,
    collectedAt: now,
    licences: { entraP1: false, entraP2: false, intune: false, exchange: false, skus: [] },
    grantedPermissions: await graph.grantedRoles(),
    exchangeConnected: false,
  };

  try {
    const skus = await readSubscribedSkus(graph);
    snapshot.licences = { ...licencesFromSkus(skus), skus: skus.map((s) => s.skuPartNumber) };
  } catch (err) {
    // Without the licence list we cannot pre-judge; every licensed read is then attempted and a
    // licence refusal from Graph still becomes the right skip reason.
    log.warn(`${council.name}: could not read subscribed licences (${err instanceof Error ? err.message : err}); trying every read.`, errorDimensions(err));
    snapshot.licences = { entraP1: true, entraP2: true, intune: true, exchange: true, skus: [] };
  }
  const lic = snapshot.licences;

  // Users and the councillor group are what every per-user read is scoped by.
  const needUsers = [...want].some((p) => p !== 'domains' && p !== 'securityDefaults' && p !== 'orgForwardingPolicy');
  if (needUsers) want.add('users').add('councillorGroup');
  if (want.has('users')) snapshot.users = await readPart('users', () => readUsers(graph));
  if (want.has('councillorGroup')) {
    snapshot.councillorGroup = await readPart('the councillor group', async () => {
      const group = await readGroupMembers(graph, council.councillorGroup);
      if (!group) throw new Error(`no group named "${council.councillorGroup}" exists in the tenant; set councillorGroup in the config to the group's display name or id`);
      return group;
    });
  }
  if (want.has('adminEligibility')) {
    const userIds = new Set(snapshot.users?.status === 'ok' ? snapshot.users.data.map((u) => u.id) : []);
    snapshot.adminEligibility = lic.entraP2
      ? await readPart('PIM role eligibility', async () => Object.fromEntries(await readEligibleAdminRoles(graph, userIds)), 'Entra ID P2')
      : notLicensed('Entra ID P2');
  }
  // Eligible administrators are in scope for the per-user reads too.
  const users: SnapshotUser[] = withEligibleAdmins(snapshot.users?.status === 'ok' ? snapshot.users.data : [], snapshot);
  const scope = inScopeUserIds(users, council, snapshot.councillorGroup?.status === 'ok' ? snapshot.councillorGroup.data.memberIds : []);
  const councillors = councillorIds(users, council, snapshot.councillorGroup?.status === 'ok' ? snapshot.councillorGroup.data.memberIds : []);

  const tasks: Promise<void>[] = [];
  const task = (fn: () => Promise<void>): Promise<void> => {
    const p = fn();
    tasks.push(p);
    return p;
  };

  if (want.has('domains')) task(async () => { snapshot.domains = await readPart('domains', () => readDomains(graph)); });
  const sdRead = want.has('securityDefaults') ? task(async () => { snapshot.securityDefaults = await readPart('security defaults', () => readSecurityDefaults(graph)); }) : undefined;
  if (want.has('inboxRules')) task(async () => { snapshot.inboxRules = await readPart('inbox rules', () => readInboxRules(graph, scope)); });
  let caRead: Promise<void> | undefined;
  if (want.has('conditionalAccess')) {
    caRead = task(async () => {
      snapshot.conditionalAccess = lic.entraP1 ? await readPart('Conditional Access policies', () => readConditionalAccess(graph), 'Entra ID P1') : notLicensed('Entra ID P1');
      if (snapshot.conditionalAccess.status !== 'ok') return;
      // Entra applies a policy to a group's members through every nested group, so the check needs them.
      const named = snapshot.conditionalAccess.data.flatMap((p) => [...(p.conditions?.users?.includeGroups ?? []), ...(p.conditions?.users?.excludeGroups ?? [])]);
      const read = await readPart('Conditional Access groups', () => readGroupsUserIds(graph, named));
      if (read.status === 'ok') snapshot.groupMembers = read.data;
      else snapshot.conditionalAccess = read as Part<never>;
    });
  }
  if (want.has('perUserMfa')) {
    // Only people whom security defaults or an enabled Conditional Access policy do not already hold to
    // MFA at every sign-in: for the rest identity.mfa-enforcement never looks at the per-user state.
    // Graph has no bulk form of this read (one request per person), so this is most of its cost.
    task(async () => {
      await Promise.all([caRead, sdRead]);
      snapshot.perUserMfa = await readPart('per-user MFA state', () => readPerUserMfa(graph, withoutPolicyMfa(snapshot, users, scope)));
    });
  }
  if (want.has('riskyUsers')) {
    task(async () => { snapshot.riskyUsers = lic.entraP2 ? await readPart('risky users', () => readRiskyUsers(graph), 'Entra ID P2') : notLicensed('Entra ID P2'); });
  }
  if (want.has('devices')) {
    task(async () => { snapshot.devices = lic.intune ? await readPart('Intune managed devices', () => readManagedDevices(graph), 'Intune') : notLicensed('Intune'); });
  }
  if (want.has('signIns')) {
    const since = DateTime.fromISO(now).minus({ hours: council.auditWindowHours }).toUTC().toISO()!;
    task(async () => { snapshot.signIns = lic.entraP1 ? await readPart('sign-in logs', () => readExchangeSignIns(graph, since, now), 'Entra ID P1') : notLicensed('Entra ID P1'); });
  }
  if (want.has('mfaRegistration')) {
    task(async () => {
      // Licence-aware fallback, not a skip: without P1 each user's methods are listed instead.
      const fromReport = lic.entraP1 ? await readPart('the MFA registration report', () => readMfaRegistrationReport(graph), 'Entra ID P1') : undefined;
      snapshot.mfaRegistration = fromReport?.status === 'ok' ? fromReport : await readPart('authentication methods', () => readMfaRegistrationFromMethods(graph, scope));
    });
  }
  if (want.has('mailboxForwarding')) {
    task(async () => {
      snapshot.mailboxForwarding = await readPart('mailbox forwarding', async () => {
        const res = await readMailboxForwarding(graph);
        if (!res.connected) throw Object.assign(new Error(res.reason), { notConnected: true });
        snapshot.exchangeConnected = true;
        return res.value;
      }).then((p) => (p.status === 'error' && !snapshot.exchangeConnected && /not connected|ManageAsApp/i.test(p.error) ? notConnected(p.error) : p));
    });
  }
  if (want.has('orgForwardingPolicy')) {
    task(async () => {
      const res = await readPart('the outbound forwarding policy', () => readOrgForwardingPolicy(graph));
      snapshot.orgForwardingPolicy = res.status === 'ok'
        ? (res.data.connected ? ok(res.data.value) : notConnected(res.data.reason))
        : (res as Part<never>);
    });
  }
  if (want.has('surrenders')) task(async () => { snapshot.surrenders = await readPart('surrender records', () => readSurrenders(store, council)); });
  if (want.has('mailboxAudit')) task(async () => { snapshot.mailboxAudit = await readPart('the mailbox audit log', () => readMailboxAudit(input)); });

  if (want.has('oneDrives') || want.has('councilLibrary') || want.has('sharingPermissions')) {
    const upnOf = new Map(users.map((u) => [u.id, u.userPrincipalName.toLowerCase()]));
    task(async () => collectDrives(input, snapshot, councillors, upnOf, want.has('sharingAudit')));
  }
  await Promise.all(tasks);
  return snapshot;
}

/** Drives a night handles at once: their indexes, delta pages and permission reads are let go before the next. */
const DRIVE_CHUNK = 200;

type Service = 'OneDrive' | 'SharePoint';
interface DriveToRead { driveId: string; service: Service; webUrl?: string; ownerUserId?: string }

/**
 * The drives, a chunk at a time: each drive's delta round, then the sharing permissions of the shared
 * items that need reading tonight, then its index (with those permissions) is saved and only its
 * snapshot kept. An item's permissions are read again only when tonight's delta lists it (it changed),
 * when it has never been read, when Purview's sharing records name it, or when those records cannot be
 * trusted to cover its service tonight (permission not granted, query still running or cut short, the
 * first window); otherwise last night's permissions stand (docs/ARCHITECTURE.md, "The nightly audit").
 */
async function collectDrives(input: CollectInput, snapshot: TenantSnapshot, councillors: string[], upnOf: Map<string, string>, withSharingAudit: boolean): Promise<void> {
  const { graph, council } = input;
  // Purview's records first: they say which unchanged items to read again tonight.
  if (withSharingAudit) snapshot.sharingAudit = await readSharingAuditPart(input, snapshot.grantedPermissions);
  const audit = snapshot.sharingAudit?.status === 'ok' ? snapshot.sharingAudit.data : undefined;
  const auditedUrls = new Set((audit?.changedItemUrls ?? []).map(normalisedUrl));
  const recordsCover = (service: Service) => !!audit?.complete && !audit.uncoveredServices.includes(service);
  const sharing = { permissions: [] as SharingPermission[], error: undefined as string | undefined };

  snapshot.oneDrives = await readPart('councillors\' OneDrives', async () => {
    const drives = await councillorDrives(input, councillors, upnOf);
    const out: Record<string, DriveSnapshot | null> = Object.fromEntries(councillors.map((id) => [id, null]));
    const present = councillors.flatMap((userId) => (drives[userId] ? [{ driveId: drives[userId]!.id, webUrl: drives[userId]!.webUrl, ownerUserId: userId, service: 'OneDrive' as const }] : []));
    const gone: string[] = [];
    for (let i = 0; i < present.length; i += DRIVE_CHUNK) {
      const chunk = present.slice(i, i + DRIVE_CHUNK);
      const read = await readDriveChunk(input, chunk, { auditedUrls, recordsCover, sharing }, (driveId) => gone.push(chunk.find((d) => d.driveId === driveId)!.ownerUserId));
      for (const d of read) out[d.ownerUserId!] = d;
    }
    // A remembered drive that no longer exists: ask Graph for the user's drive again, once.
    if (gone.length) {
      const again = await lookUpDrives(input, gone, upnOf);
      const found = gone.flatMap((userId) => (again[userId] ? [{ driveId: again[userId]!.id, webUrl: again[userId]!.webUrl, ownerUserId: userId, service: 'OneDrive' as const }] : []));
      for (const d of await readDriveChunk(input, found, { auditedUrls, recordsCover, sharing })) out[d.ownerUserId!] = d;
    }
    return out;
  });

  snapshot.councilLibrary = await readPart('the council library', async () => {
    const lib = await findSiteLibrary(graph, council.sharePoint, council.sharePoint.library);
    if (!lib) return null;
    const [drive] = await readDriveChunk(input, [{ driveId: lib.driveId, webUrl: lib.webUrl, service: 'SharePoint' }], { auditedUrls, recordsCover, sharing });
    return drive ?? null;
  });
  snapshot.sharingPermissions = sharing.error ? { status: 'error', error: sharing.error } : ok(sharing.permissions);
}

interface SharingPlan {
  auditedUrls: Set<string>;
  recordsCover: (service: Service) => boolean;
  sharing: { permissions: SharingPermission[]; error?: string };
}

/** One chunk of drives: delta, permission reads, save; returns the drives' snapshots. */
async function readDriveChunk(input: CollectInput, drives: DriveToRead[], plan: SharingPlan, onMissing?: (driveId: string) => void): Promise<DriveSnapshot[]> {
  const { graph, council, store } = input;
  if (!drives.length) return [];
  const limit = pLimit(4);
  const key = (driveId: string) => `${council.tenantId}|${driveId}`;
  const previous = await Promise.all(drives.map((d) => limit(() => store.getCheckpoint<DriveIndex>('drive-index', key(d.driveId)))));
  const indexes = drives.length === 1 && !onMissing
    ? new Map([[drives[0].driveId, await syncDriveIndex(graph, drives[0].driveId, previous[0]?.value)]])
    : await syncDriveIndexes(graph, drives.map((d, i) => ({ driveId: d.driveId, index: previous[i]?.value })), 4, onMissing);

  const snapshots: DriveSnapshot[] = [];
  const toRead: { driveId: string; itemId: string; audited: boolean }[] = [];
  for (const d of drives) {
    const index = indexes.get(d.driveId);
    if (!index) continue;
    const snap = driveSnapshotFromIndex(d.driveId, index, { ownerUserId: d.ownerUserId, webUrl: d.webUrl });
    snapshots.push(snap);
    const changed = new Set(index.round?.changed ?? []);
    const trustStored = !index.round?.full && plan.recordsCover(d.service);
    for (const item of snap.items) {
      const entry = index.items[item.id];
      const audited = !!d.webUrl && plan.auditedUrls.has(normalisedUrl(`${d.webUrl}${item.path}`));
      const stale = !trustStored || changed.has(item.id) || entry.perms === undefined;
      if (audited || (item.shared && stale)) toRead.push({ driveId: d.driveId, itemId: item.id, audited });
      else if (item.shared) for (const p of entry.perms ?? []) plan.sharing.permissions.push(fromStoredPermission(d.driveId, item.id, p));
    }
  }

  // Tonight's reads; what they find is kept in the index for the nights the item does not change.
  let read: SharingPermission[] | undefined;
  try {
    read = await readSharingPermissions(graph, toRead);
  } catch (err) {
    plan.sharing.error ??= `reading sharing permissions failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  const byItem = new Map<string, SharingPermission[]>();
  for (const p of read ?? []) {
    plan.sharing.permissions.push(p);
    const k = `${p.driveId}/${p.itemId}`;
    byItem.set(k, [...(byItem.get(k) ?? []), p]);
  }
  for (const t of toRead) {
    const entry = indexes.get(t.driveId)?.items[t.itemId];
    if (!entry) continue;
    if (!read) { delete entry.perms; continue; } // not read: the next night asks again
    const own = (byItem.get(`${t.driveId}/${t.itemId}`) ?? []).filter((p) => !p.inherited);
    entry.perms = own.map(toStoredPermission);
    // Sharing a file whose content did not change: its index learns that it is shared now (or no longer).
    if (t.audited) {
      entry.shared = own.length > 0;
      const item = snapshots.find((s) => s.driveId === t.driveId)?.items.find((i) => i.id === t.itemId);
      if (item) item.shared = entry.shared;
    }
  }
  await Promise.all(drives.map((d) => limit(async () => {
    const index = indexes.get(d.driveId);
    if (index) await store.putCheckpoint('drive-index', key(d.driveId), storedIndex(index));
  })));
  // Every drive's items are held until the checks run, and they read a folder only when it is shared
  // (files.external-sharing names it), so the other folders are let go here.
  for (const snap of snapshots) snap.items = snap.items.filter((i) => !i.isFolder || i.shared);
  return snapshots;
}

interface RememberedDrive { upn: string; id?: string; webUrl?: string }

/**
 * Each councillor's OneDrive (null without one). A drive's id does not change, so it is remembered and
 * asked for again only for a councillor not seen before, one without a drive last night, or one whose
 * sign-in name changed (the drive's address follows it); a remembered drive that is gone is asked for again.
 */
async function councillorDrives(input: CollectInput, councillors: string[], upnOf: Map<string, string>): Promise<Record<string, { id: string; webUrl?: string } | null>> {
  const saved = (await input.store.getCheckpoint<Record<string, RememberedDrive>>('onedrive-ids', input.council.tenantId))?.value ?? {};
  const out: Record<string, { id: string; webUrl?: string } | null> = {};
  const ask: string[] = [];
  for (const userId of councillors) {
    const r = saved[userId];
    if (r?.id && r.upn === (upnOf.get(userId) ?? '')) out[userId] = { id: r.id, webUrl: r.webUrl };
    else ask.push(userId);
  }
  Object.assign(out, await lookUpDrives(input, ask, upnOf, saved, councillors));
  return out;
}

async function lookUpDrives(input: CollectInput, userIds: string[], upnOf: Map<string, string>, saved?: Record<string, RememberedDrive>, keep?: string[]): Promise<Record<string, { id: string; webUrl?: string } | null>> {
  if (!userIds.length) return {};
  const found = await readUserDrives(input.graph, userIds);
  const remembered = saved ?? (await input.store.getCheckpoint<Record<string, RememberedDrive>>('onedrive-ids', input.council.tenantId))?.value ?? {};
  for (const [userId, d] of Object.entries(found)) remembered[userId] = { upn: upnOf.get(userId) ?? '', ...(d ? { id: d.id, webUrl: d.webUrl } : {}) };
  // Councillors no longer in scope are forgotten.
  const kept = keep ? Object.fromEntries(keep.filter((id) => remembered[id]).map((id) => [id, remembered[id]])) : remembered;
  await input.store.putCheckpoint('onedrive-ids', input.council.tenantId, kept);
  return found;
}

const normalisedUrl = (url: string) => {
  try { return decodeURI(url).toLowerCase().replace(/\/+$/, ''); } catch { return url.toLowerCase(); }
};

const SHARING_AUDIT_PERMISSION = { OneDrive: 'AuditLogsQuery-OneDrive.Read.All', SharePoint: 'AuditLogsQuery-SharePoint.Read.All' } as const;

async function readSharingAuditPart(input: CollectInput, granted: string[]): Promise<NonNullable<TenantSnapshot['sharingAudit']>> {
  // "Create auditLogQuery": a query returns the records of the services the app's permissions cover.
  const all = granted.includes('AuditLogsQuery.Read.All');
  const uncoveredServices = (['OneDrive', 'SharePoint'] as const).filter((s) => !all && !granted.includes(SHARING_AUDIT_PERMISSION[s]));
  if (uncoveredServices.length === 2) {
    return { status: 'unavailable', reason: { code: 'missing-permission', detail: `needs the application permission ${SHARING_AUDIT_PERMISSION.OneDrive} (and ${SHARING_AUDIT_PERMISSION.SharePoint} for the council library); without it sharing on files whose content did not change is seen only when the file changes` } };
  }
  return readPart('the sharing audit log', async () => ({ ...(await readSharingAudit(input)), uncoveredServices }));
}

/**
 * The sharing records since the window the last night covered (none the first night: its full delta read
 * saw every shared item). A query still running is resumed the next night, as the mailbox audit's is.
 */
async function readSharingAudit(input: CollectInput): Promise<{ changedItemUrls: string[]; pendingQueryId?: string; complete: boolean; truncated?: boolean }> {
  const { graph, council, store, now } = input;
  const key = council.tenantId;
  const budget = input.auditQueryBudgetMs ?? 120_000;
  const saved = (await store.getCheckpoint<{ coveredTo?: string; pending?: { queryId: string; from: string; to: string } }>('sharing-audit', key))?.value;
  if (!saved) {
    await store.putCheckpoint('sharing-audit', key, { coveredTo: now });
    // The first window starts now: what changed before it is not in any record.
    return { changedItemUrls: [], complete: false };
  }
  const urls: string[] = [];
  let cutShort = false;
  let from = saved.coveredTo ?? now;
  if (saved.pending) {
    const resumed = await awaitAuditQuery(graph, saved.pending.queryId, budget);
    if (resumed.status === 'pending') return { changedItemUrls: [], pendingQueryId: saved.pending.queryId, complete: false };
    if (resumed.status === 'succeeded') urls.push(...resumed.records.flatMap((r) => (r.objectId ? [r.objectId] : [])));
    if (resumed.status === 'succeeded' && resumed.truncated) cutShort = true;
    from = resumed.status === 'succeeded' ? saved.pending.to : saved.pending.from;
  }
  const queryId = await startSharingAuditQuery(graph, from, now);
  const result = await awaitAuditQuery(graph, queryId, budget);
  if (result.status === 'pending') {
    await store.putCheckpoint('sharing-audit', key, { coveredTo: from, pending: { queryId, from, to: now } });
    return { changedItemUrls: urls, pendingQueryId: queryId, complete: false };
  }
  if (result.status === 'failed') throw new Error(`${result.detail}; the next run asks again from ${from}`);
  await store.putCheckpoint('sharing-audit', key, { coveredTo: now });
  // A query stopped at its record limit may leave sharing changes out: then nothing unchanged is trusted.
  return { changedItemUrls: [...urls, ...result.records.flatMap((r) => (r.objectId ? [r.objectId] : []))], complete: !cutShort && !result.truncated, ...(cutShort || result.truncated ? { truncated: true } : {}) };
}

/** The people in scope whose per-user MFA state could matter: all of them unless a policy is read. */
function withoutPolicyMfa(snapshot: TenantSnapshot, users: SnapshotUser[], scope: string[]): string[] {
  if (snapshot.securityDefaults?.status === 'ok' && snapshot.securityDefaults.data.isEnabled) return [];
  if (snapshot.conditionalAccess?.status !== 'ok') return scope;
  const group = snapshot.councillorGroup?.status === 'ok' ? snapshot.councillorGroup.data : undefined;
  const groupMembers: Record<string, readonly string[]> = { ...(group ? { [group.id]: group.memberIds } : {}), ...(snapshot.groupMembers ?? {}) };
  const byId = new Map(users.map((u) => [u.id, u]));
  const policies = snapshot.conditionalAccess.data;
  return scope.filter((id) => {
    const user = byId.get(id);
    return !user || !mfaRequiredByPolicy(policies, user, groupMembers, isGuest(user));
  });
}

/** Storage reads at once for the per-councillor surrender states. */
const SURRENDER_READS = 16;

async function readSurrenders(store: Store, council: CouncilConfig) {
  // A few at a time: a roster of 10,000 councillors read all at once opened 10,000 storage requests
  // (sockets, buffers, an error with a stack for each not-found) in one go, about 200 MB of heap.
  const limit = pLimit(SURRENDER_READS);
  return Promise.all(council.roster.map((r) => limit(async () => {
    const state = await store.getCheckpoint<{ status: 'running' | 'done' | 'failed' }>('surrender-status', `${council.tenantId}|${r.userPrincipalName.toLowerCase()}`);
    return { userPrincipalName: r.userPrincipalName.toLowerCase(), status: state?.value.status ?? ('none' as const) };
  })));
}

/**
 * Resumes a query left running by an earlier night; when it finishes, its records are kept and the
 * window since it is queried too, so a slow query never leaves a gap in the audit log.
 */
async function readMailboxAudit(input: CollectInput): Promise<NonNullable<TenantSnapshot['mailboxAudit']> extends Part<infer T> ? T : never> {
  const { graph, council, store, now } = input;
  const key = council.tenantId;
  const budget = input.auditQueryBudgetMs ?? 120_000;
  const to = DateTime.fromISO(now).toUTC();
  const records: import('../core/snapshot').AuditRecord[] = [];
  let truncated: import('../graph/readers/audit').AuditTruncation | undefined;
  let query = (await store.getCheckpoint<{ queryId: string; from: string; to: string }>('audit-query', key))?.value;
  if (query) {
    const resumed = await awaitAuditQuery(graph, query.queryId, budget);
    if (resumed.status === 'pending') return { records: [], pendingQueryId: query.queryId };
    await store.deleteCheckpoint('audit-query', key);
    if (resumed.status === 'succeeded') {
      records.push(...resumed.records);
      truncated = resumed.truncated;
    }
    // A failed earlier query is re-asked as part of tonight's window below.
    const from = resumed.status === 'succeeded' ? query.to : query.from;
    if (DateTime.fromISO(from) >= to) return { records, ...(truncated ? { truncated } : {}) };
    query = { queryId: '', from, to: to.toISO()! };
  } else {
    query = { queryId: '', from: to.minus({ hours: council.auditWindowHours }).toISO()!, to: to.toISO()! };
  }
  query.queryId = await startMailboxAuditQuery(graph, query.from, query.to);
  const result = await awaitAuditQuery(graph, query.queryId, budget);
  if (result.status === 'pending') {
    await store.putCheckpoint('audit-query', key, query);
    return { records, pendingQueryId: query.queryId, ...(truncated ? { truncated } : {}) };
  }
  if (result.status === 'failed') throw new Error(`${result.detail}; the next run starts a new query for its own window`);
  truncated ??= result.truncated;
  return { records: [...records, ...result.records], ...(truncated ? { truncated } : {}) };
}
