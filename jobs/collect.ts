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
  readSharingPermissions,
  readUserDrives,
  syncDriveIndex,
  syncDriveIndexes,
  type DriveIndex,
} from '../graph/readers/files';
import { awaitAuditQuery, readManagedDevices, startMailboxAuditQuery, startSharingAuditQuery } from '../graph/readers/audit';
import type { Part, SnapshotPart, SnapshotUser, TenantSnapshot } from '../core/snapshot';
import type { CouncilConfig } from '../policy/council-config';
import type { Store } from '../store';
import type { CouncilContext } from '../context/council-context';
import { inScopeUserIds, councillorIds, withEligibleAdmins } from '../checks/scope';
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
  const task = (fn: () => Promise<void>) => tasks.push(fn());

  if (want.has('domains')) task(async () => { snapshot.domains = await readPart('domains', () => readDomains(graph)); });
  if (want.has('securityDefaults')) task(async () => { snapshot.securityDefaults = await readPart('security defaults', () => readSecurityDefaults(graph)); });
  if (want.has('inboxRules')) task(async () => { snapshot.inboxRules = await readPart('inbox rules', () => readInboxRules(graph, scope)); });
  if (want.has('perUserMfa')) task(async () => { snapshot.perUserMfa = await readPart('per-user MFA state', () => readPerUserMfa(graph, scope)); });
  if (want.has('conditionalAccess')) {
    task(async () => {
      snapshot.conditionalAccess = lic.entraP1 ? await readPart('Conditional Access policies', () => readConditionalAccess(graph), 'Entra ID P1') : notLicensed('Entra ID P1');
      if (snapshot.conditionalAccess.status !== 'ok') return;
      // Entra applies a policy to a group's members through every nested group, so the check needs them.
      const named = snapshot.conditionalAccess.data.flatMap((p) => [...(p.conditions?.users?.includeGroups ?? []), ...(p.conditions?.users?.excludeGroups ?? [])]);
      const read = await readPart('Conditional Access groups', () => readGroupsUserIds(graph, named));
      if (read.status === 'ok') snapshot.groupMembers = read.data;
      else snapshot.conditionalAccess = read as Part<never>;
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
    task(async () => collectDrives(input, snapshot, councillors, want.has('sharingAudit')));
  }
  await Promise.all(tasks);
  return snapshot;
}

async function collectDrives(input: CollectInput, snapshot: TenantSnapshot, councillors: string[], withSharingAudit: boolean): Promise<void> {
  const { graph, council, store } = input;
  const limit = pLimit(4);
  const sync = async (driveId: string) => {
    const key = `${council.tenantId}|${driveId}`;
    const previous = await store.getCheckpoint<DriveIndex>('drive-index', key);
    const index = await syncDriveIndex(graph, driveId, previous?.value);
    await store.putCheckpoint('drive-index', key, index);
    return index;
  };

  snapshot.oneDrives = await readPart('councillors\' OneDrives', async () => {
    const drives = await readUserDrives(graph, councillors);
    const present = Object.entries(drives).flatMap(([userId, drive]) => (drive ? [{ userId, drive }] : []));
    const key = (driveId: string) => `${council.tenantId}|${driveId}`;
    const previous = await Promise.all(present.map(({ drive }) => limit(() => store.getCheckpoint<DriveIndex>('drive-index', key(drive.id)))));
    const indexes = await syncDriveIndexes(graph, present.map(({ drive }, i) => ({ driveId: drive.id, index: previous[i]?.value })));
    await Promise.all(present.map(({ drive }) => limit(() => store.putCheckpoint('drive-index', key(drive.id), indexes.get(drive.id)!))));
    const out: Record<string, ReturnType<typeof driveSnapshotFromIndex> | null> = Object.fromEntries(Object.keys(drives).map((id) => [id, null]));
    for (const { userId, drive } of present) out[userId] = driveSnapshotFromIndex(drive.id, indexes.get(drive.id)!, { ownerUserId: userId, webUrl: drive.webUrl });
    return out;
  });

  snapshot.councilLibrary = await readPart('the council library', async () => {
    const lib = await findSiteLibrary(graph, council.sharePoint, council.sharePoint.library);
    return lib ? driveSnapshotFromIndex(lib.driveId, await sync(lib.driveId), { webUrl: lib.webUrl }) : null;
  });

  const shared: { driveId: string; itemId: string }[] = [];
  const drives = [
    ...(snapshot.oneDrives.status === 'ok' ? Object.values(snapshot.oneDrives.data) : []),
    ...(snapshot.councilLibrary.status === 'ok' ? [snapshot.councilLibrary.data] : []),
  ];
  for (const d of drives) for (const item of d?.items ?? []) if (item.shared) shared.push({ driveId: d!.driveId, itemId: item.id });

  // Delta does not list a sharing change on a file whose content did not change, so the items Purview's
  // sharing records name since the last night are re-read too, and their index learns the result.
  if (withSharingAudit) snapshot.sharingAudit = await readSharingAuditPart(input, snapshot.grantedPermissions);
  const audited = snapshot.sharingAudit?.status === 'ok' ? itemsAtUrls(drives, snapshot.sharingAudit.data.changedItemUrls) : [];
  for (const a of audited) if (!shared.some((s) => s.itemId === a.itemId && s.driveId === a.driveId)) shared.push(a);
  snapshot.sharingPermissions = await readPart('sharing permissions', () => readSharingPermissions(graph, shared));
  if (snapshot.sharingPermissions.status === 'ok' && audited.length) await rememberSharing(input, drives, audited, snapshot.sharingPermissions.data);
}

type DriveRef = { driveId: string; webUrl?: string; items?: { id: string; path: string; shared?: boolean }[] } | null | undefined;

const normalisedUrl = (url: string) => {
  try { return decodeURI(url).toLowerCase().replace(/\/+$/, ''); } catch { return url.toLowerCase(); }
};

/** The drive items whose URL (the drive's webUrl and the item's path) a sharing record names. */
function itemsAtUrls(drives: DriveRef[], urls: string[]): { driveId: string; itemId: string }[] {
  const wanted = new Set(urls.map(normalisedUrl));
  const out: { driveId: string; itemId: string }[] = [];
  for (const d of drives) {
    if (!d?.webUrl) continue;
    for (const item of d.items ?? []) if (wanted.has(normalisedUrl(`${d.webUrl}${item.path}`))) out.push({ driveId: d.driveId, itemId: item.id });
  }
  return out;
}

/** Keeps an audited item's shared flag in its drive index, so later nights re-read it without a record. */
async function rememberSharing(input: CollectInput, drives: DriveRef[], audited: { driveId: string; itemId: string }[], permissions: { driveId: string; itemId: string; inherited: boolean }[]): Promise<void> {
  const { store, council } = input;
  for (const driveId of new Set(audited.map((a) => a.driveId))) {
    const key = `${council.tenantId}|${driveId}`;
    const saved = await store.getCheckpoint<DriveIndex>('drive-index', key);
    if (!saved) continue;
    let changed = false;
    for (const a of audited.filter((x) => x.driveId === driveId)) {
      const entry = saved.value.items[a.itemId];
      const shared = permissions.some((p) => p.driveId === driveId && p.itemId === a.itemId && !p.inherited);
      if (entry && entry.shared !== shared) { entry.shared = shared; changed = true; }
      const item = drives.find((d) => d?.driveId === driveId)?.items?.find((i) => i.id === a.itemId);
      if (item) item.shared = shared;
    }
    if (changed) await store.putCheckpoint('drive-index', key, saved.value, saved.etag);
  }
}

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
async function readSharingAudit(input: CollectInput): Promise<{ changedItemUrls: string[]; pendingQueryId?: string }> {
  const { graph, council, store, now } = input;
  const key = council.tenantId;
  const budget = input.auditQueryBudgetMs ?? 120_000;
  const saved = (await store.getCheckpoint<{ coveredTo?: string; pending?: { queryId: string; from: string; to: string } }>('sharing-audit', key))?.value;
  if (!saved) {
    await store.putCheckpoint('sharing-audit', key, { coveredTo: now });
    return { changedItemUrls: [] };
  }
  const urls: string[] = [];
  let from = saved.coveredTo ?? now;
  if (saved.pending) {
    const resumed = await awaitAuditQuery(graph, saved.pending.queryId, budget);
    if (resumed.status === 'pending') return { changedItemUrls: [], pendingQueryId: saved.pending.queryId };
    if (resumed.status === 'succeeded') urls.push(...resumed.records.flatMap((r) => (r.objectId ? [r.objectId] : [])));
    from = resumed.status === 'succeeded' ? saved.pending.to : saved.pending.from;
  }
  const queryId = await startSharingAuditQuery(graph, from, now);
  const result = await awaitAuditQuery(graph, queryId, budget);
  if (result.status === 'pending') {
    await store.putCheckpoint('sharing-audit', key, { coveredTo: from, pending: { queryId, from, to: now } });
    return { changedItemUrls: urls, pendingQueryId: queryId };
  }
  if (result.status === 'failed') throw new Error(`${result.detail}; the next run asks again from ${from}`);
  await store.putCheckpoint('sharing-audit', key, { coveredTo: now });
  return { changedItemUrls: [...urls, ...result.records.flatMap((r) => (r.objectId ? [r.objectId] : []))] };
}

async function readSurrenders(store: Store, council: CouncilConfig) {
  return Promise.all(council.roster.map(async (r) => {
    const state = await store.getCheckpoint<{ status: 'running' | 'done' | 'failed' }>('surrender-status', `${council.tenantId}|${r.userPrincipalName.toLowerCase()}`);
    return { userPrincipalName: r.userPrincipalName.toLowerCase(), status: state?.value.status ?? ('none' as const) };
  }));
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
