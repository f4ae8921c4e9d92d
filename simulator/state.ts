// The live, mutable state of one simulated tenant, built from a scenario. Writes through the API
// change it, and later reads see the change (tests verify effects by reading the tenant back).
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Scenario, ScenarioFile } from './scenario';
import { buildMailbox, type SimMailFolder } from './mailbox';

/** Deterministic GUID-shaped id from a seed string, so ids are stable across runs. */
export function stableId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** '-400d', '-3h', '-15m' relative to now, or an ISO date. */
export function resolveWhen(when: string | undefined, now: DateTime, fallback = '-1d'): string {
  const w = when ?? fallback;
  const rel = /^(-?\d+)([dhm])$/.exec(w);
  if (rel) {
    const n = Number(rel[1]);
    return now.plus(rel[2] === 'd' ? { days: n } : rel[2] === 'h' ? { hours: n } : { minutes: n }).toUTC().toISO()!;
  }
  return DateTime.fromISO(w, { zone: 'utc' }).toUTC().toISO()!;
}

export interface SimPermission {
  id: string;
  roles: string[];
  link?: { scope: 'anonymous' | 'organization' | 'users'; type: string; webUrl: string };
  grantedToV2?: { user: { displayName?: string; email: string } };
  grantedToIdentitiesV2?: { user: { displayName?: string; email: string } }[];
}

export interface SimItem {
  id: string;
  name: string;
  parentId?: string;
  folder: boolean;
  root?: boolean;
  size: number;
  created: string;
  modified: string;
  permissions: SimPermission[];
  content?: Buffer;
  seq: number;
  deleted?: boolean;
}

export interface SimDrive {
  id: string;
  name: string;
  ownerUserId?: string;
  siteId?: string;
  readOnly?: boolean;
  webUrl: string;
  items: Map<string, SimItem>;
}

export interface SimRule {
  id: string;
  displayName: string;
  sequence: number;
  isEnabled: boolean;
  hasError: boolean;
  actions: Record<string, unknown> | null;
}

export interface SimUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail: string | null;
  accountEnabled: boolean;
  userType: string;
  passwordPolicies: string | null;
  lastPasswordChangeDateTime: string;
  assignedLicenses: { skuId: string; disabledPlans: string[] }[];
  roles: string[];
  mfaMethods: string[];
  perUserMfaState: string;
  risk?: { riskState: string; riskDetail: string; riskLevel: string };
  hasMailbox: boolean;
  forwardingSmtpAddress: string | null;
  forwardingAddress: string | null;
  deliverToMailboxAndForward: boolean;
  rules: SimRule[];
  automaticRepliesSetting: Record<string, unknown>;
  driveId?: string;
  mailFolders: Map<string, SimMailFolder>;
  contacts: { id: string; displayName: string; emailAddresses: { address: string }[]; businessPhones: string[] }[];
  events: { id: string; subject: string; start: { dateTime: string; timeZone: string }; end: { dateTime: string; timeZone: string }; location: { displayName: string } }[];
  sessionsRevokedAt?: string;
  forceChangePasswordNextSignIn?: boolean;
}

export interface TenantState {
  scenario: Scenario;
  tenantId: string;
  now: DateTime;
  seq: number;
  users: SimUser[];
  groups: { id: string; displayName: string; members: string[] }[];
  directoryRoles: { id: string; displayName: string; roleTemplateId: string; members: string[] }[];
  skus: { skuId: string; skuPartNumber: string; capabilityStatus: string; servicePlans: { servicePlanName: string; provisioningStatus: string }[] }[];
  domains: { id: string; isDefault: boolean; isVerified: boolean; passwordValidityPeriodInDays: number | null }[];
  drives: Map<string, SimDrive>;
  sites: { id: string; hostname: string; path: string; displayName: string; driveIds: string[] }[];
  conditionalAccessPolicies: Record<string, unknown>[];
  securityDefaults: boolean;
  autoForwardingMode: string;
  managedDevices: Record<string, unknown>[];
  signIns: Record<string, unknown>[];
  auditRecords: Record<string, unknown>[];
  auditQueries: Map<string, { id: string; polls: number; status: string; filterStartDateTime: string; filterEndDateTime: string; operationFilters?: string[] }>;
  mailboxPermissions: { identity: string; user: string; accessRights: string[] }[];
  /** Mail delivered through sendMail, by recipient mailbox (metadata only). */
  sentMail: { id: string; mailbox: string; from: string; subject: string; receivedDateTime: string; attachments: string[]; bodyLength: number }[];
  licences: { p1: boolean; p2: boolean; intune: boolean };
}

/** Well-known directory role template ids. */
export const ROLE_TEMPLATES: Record<string, string> = {
  'Global Administrator': '62e90394-69f5-4237-9190-012177145e10',
  'User Administrator': 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  'Exchange Administrator': '29232cdf-9323-42fd-ade2-1d097af3e4de',
  'SharePoint Administrator': 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c',
  'Security Administrator': '194ae4cb-b126-40b2-bd5b-6091b380977d',
};

const METHOD_TYPES: Record<string, string> = {
  microsoftAuthenticator: '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
  phone: '#microsoft.graph.phoneAuthenticationMethod',
  fido2: '#microsoft.graph.fido2AuthenticationMethod',
  softwareOath: '#microsoft.graph.softwareOathAuthenticationMethod',
  email: '#microsoft.graph.emailAuthenticationMethod',
  windowsHelloForBusiness: '#microsoft.graph.windowsHelloForBusinessAuthenticationMethod',
};
export const methodOdataType = (m: string) => METHOD_TYPES[m] ?? `#microsoft.graph.${m}AuthenticationMethod`;

export function buildTenant(scenario: Scenario, now: DateTime): TenantState {
  const t = scenario.tenantId.toLowerCase();
  const skus = scenario.skus.map((s) => ({
    skuId: s.skuId ?? stableId(t, 'sku', s.skuPartNumber),
    skuPartNumber: s.skuPartNumber,
    capabilityStatus: 'Enabled',
    servicePlans: s.servicePlans.map((p) => ({ servicePlanName: p, provisioningStatus: 'Success' })),
  }));
  const plans = new Set(scenario.skus.flatMap((s) => s.servicePlans));
  const state: TenantState = {
    scenario,
    tenantId: t,
    now,
    seq: 1,
    users: [],
    groups: [],
    directoryRoles: [],
    skus,
    domains: scenario.domains.map((d) => ({ id: d.id.toLowerCase(), isDefault: !!d.isDefault, isVerified: d.isVerified !== false, passwordValidityPeriodInDays: d.passwordValidityPeriodInDays ?? null })),
    drives: new Map(),
    sites: [],
    conditionalAccessPolicies: [],
    securityDefaults: !!scenario.securityDefaults,
    autoForwardingMode: scenario.autoForwardingMode ?? 'Automatic',
    managedDevices: [],
    signIns: [],
    auditRecords: [],
    auditQueries: new Map(),
    mailboxPermissions: [],
    sentMail: [],
    licences: { p1: plans.has('AAD_PREMIUM') || plans.has('AAD_PREMIUM_P2'), p2: plans.has('AAD_PREMIUM_P2'), intune: plans.has('INTUNE_A') },
  };
  const byUpn = new Map<string, SimUser>();
  for (const u of scenario.users) {
    const upn = u.userPrincipalName.toLowerCase();
    const id = u.id ?? stableId(t, 'user', upn);
    const mailbox = u.mailbox === false ? undefined : u.mailbox ?? {};
    const user: SimUser = {
      id,
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName ?? u.userPrincipalName.split('@')[0],
      mail: u.mail ?? (u.userType === 'Guest' ? null : u.userPrincipalName),
      accountEnabled: u.accountEnabled !== false,
      userType: u.userType ?? 'Member',
      passwordPolicies: u.passwordPolicies ?? null,
      lastPasswordChangeDateTime: resolveWhen(u.lastPasswordChange, now, '-200d'),
      assignedLicenses: (u.licences ?? []).map((name) => ({ skuId: skus.find((s) => s.skuPartNumber === name)?.skuId ?? stableId(t, 'sku', name), disabledPlans: [] })),
      roles: u.roles ?? [],
      mfaMethods: u.mfa?.methods ?? [],
      perUserMfaState: u.mfa?.perUserMfaState ?? 'disabled',
      risk: u.risk ? { riskState: u.risk.riskState, riskDetail: u.risk.riskDetail ?? 'none', riskLevel: u.risk.riskLevel ?? 'medium' } : undefined,
      hasMailbox: !!mailbox,
      forwardingSmtpAddress: mailbox?.forwardingSmtpAddress ?? null,
      forwardingAddress: mailbox?.forwardingAddress ?? null,
      deliverToMailboxAndForward: mailbox?.deliverToMailboxAndForward ?? false,
      rules: (mailbox?.rules ?? []).map((r, i) => ({
        id: r.id ?? stableId(t, 'rule', upn, r.displayName),
        displayName: r.displayName,
        sequence: i + 1,
        isEnabled: r.isEnabled !== false,
        hasError: false,
        actions: r.nullActions ? null : {
          ...(r.forwardTo ? { forwardTo: r.forwardTo.map(recipient) } : {}),
          ...(r.forwardAsAttachmentTo ? { forwardAsAttachmentTo: r.forwardAsAttachmentTo.map(recipient) } : {}),
          ...(r.redirectTo ? { redirectTo: r.redirectTo.map(recipient) } : {}),
          stopProcessingRules: false,
        },
      })),
      automaticRepliesSetting: { status: 'disabled', externalAudience: 'none', internalReplyMessage: '', externalReplyMessage: '' },
      mailFolders: mailbox ? buildMailbox(id, upn, mailbox.folders ?? [{ name: 'Inbox' }, { name: 'Sent Items' }, { name: 'Deleted Items' }], now) : new Map(),
      contacts: (mailbox?.contacts ?? []).map((c, i) => ({ id: stableId(id, 'contact', String(i)), displayName: c.displayName, emailAddresses: c.email ? [{ address: c.email }] : [], businessPhones: c.phone ? [c.phone] : [] })),
      events: (mailbox?.events ?? []).map((e, i) => {
        const start = DateTime.fromISO(resolveWhen(e.start, now));
        return { id: stableId(id, 'event', String(i)), subject: e.subject, start: { dateTime: start.toISO()!, timeZone: 'UTC' }, end: { dateTime: start.plus({ minutes: e.durationMinutes ?? 60 }).toISO()!, timeZone: 'UTC' }, location: { displayName: e.location ?? '' } };
      }),
    };
    if (u.drive !== false && u.userType !== 'Guest') {
      const drive = newDrive(state, stableId(t, 'drive', upn), 'OneDrive', `https://${domainStem(state)}-my.sharepoint.com/personal/${upn.replace(/[@.]/g, '_')}/Documents`);
      drive.ownerUserId = id;
      for (const f of (u.drive as { files?: ScenarioFile[] } | undefined)?.files ?? []) addFile(state, drive, f);
      user.driveId = drive.id;
    }
    state.users.push(user);
    byUpn.set(upn, user);
  }
  const userId = (upn: string) => {
    const u = byUpn.get(upn.toLowerCase());
    if (!u) throw new Error(`scenario ${scenario.name}: ${upn} is not a user of the scenario`);
    return u.id;
  };
  for (const g of scenario.groups ?? []) state.groups.push({ id: stableId(t, 'group', g.displayName), displayName: g.displayName, members: g.members.map(userId) });
  for (const [name, templateId] of Object.entries(ROLE_TEMPLATES)) {
    const members = state.users.filter((u) => u.roles.includes(name)).map((u) => u.id);
    if (members.length) state.directoryRoles.push({ id: stableId(t, 'role', name), displayName: name, roleTemplateId: templateId, members });
  }
  for (const s of scenario.sites ?? []) {
    const id = `${s.hostname},${stableId(t, 'site', s.path)},${stableId(t, 'web', s.path)}`;
    const site = { id, hostname: s.hostname, path: s.path, displayName: s.displayName ?? s.path.split('/').pop()!, driveIds: [] as string[] };
    for (const lib of s.libraries) {
      const drive = newDrive(state, stableId(t, 'library', s.path, lib.name), lib.name, `https://${s.hostname}${s.path}/${encodeURIComponent(lib.name)}`);
      drive.siteId = id;
      drive.readOnly = lib.readOnly;
      for (const f of lib.files ?? []) addFile(state, drive, f);
      site.driveIds.push(drive.id);
    }
    state.sites.push(site);
  }
  const groupId = (name: string) => state.groups.find((g) => g.displayName === name)?.id ?? name;
  const userRef = (v: string) => (v.includes('@') ? userId(v) : v);
  state.conditionalAccessPolicies = (scenario.conditionalAccessPolicies ?? []).map((p) => ({
    id: stableId(t, 'ca', p.displayName),
    displayName: p.displayName,
    state: p.state,
    conditions: {
      users: {
        includeUsers: (p.includeUsers ?? []).map(userRef), excludeUsers: (p.excludeUsers ?? []).map(userRef),
        includeGroups: (p.includeGroups ?? []).map(groupId), excludeGroups: (p.excludeGroups ?? []).map(groupId),
        includeRoles: (p.includeRoles ?? []).map((r) => ROLE_TEMPLATES[r] ?? r), excludeRoles: [],
      },
      applications: { includeApplications: ['All'] },
    },
    grantControls: { operator: 'OR', builtInControls: p.grantControls ?? ['mfa'], authenticationStrength: null },
  }));
  state.managedDevices = (scenario.managedDevices ?? []).map((d) => ({
    id: stableId(t, 'device', d.deviceName), deviceName: d.deviceName, userPrincipalName: d.user, userId: userId(d.user),
    operatingSystem: d.operatingSystem ?? 'Windows', isEncrypted: d.isEncrypted, complianceState: d.complianceState, managementState: 'managed',
  }));
  state.signIns = (scenario.signIns ?? []).map((s, i) => ({
    id: stableId(t, 'signin', String(i)), userPrincipalName: s.user, userId: userId(s.user), createdDateTime: resolveWhen(s.at, now),
    appDisplayName: s.appDisplayName ?? 'Office 365 Exchange Online', clientAppUsed: 'Browser', location: { countryOrRegion: s.countryOrRegion },
    status: { errorCode: s.errorCode ?? 0 },
  }));
  state.auditRecords = (scenario.auditRecords ?? []).map((r, i) => ({
    id: stableId(t, 'audit', String(i)), operation: r.operation, userPrincipalName: r.user, userId: r.user, createdDateTime: resolveWhen(r.at, now),
    clientIp: r.clientIp ?? '203.0.113.10', auditLogRecordType: 'exchangeItem', service: 'Exchange',
    auditData: {
      Operation: r.operation, UserId: r.user, ...(r.mailboxOwner ? { MailboxOwnerUPN: r.mailboxOwner } : {}),
      LogonType: r.logonType ?? 1, ...(r.parameters ? { Parameters: Object.entries(r.parameters).map(([Name, Value]) => ({ Name, Value })) } : {}),
    },
  }));
  return state;
}

function recipient(address: string) {
  return { emailAddress: { name: address, address } };
}

function domainStem(state: TenantState): string {
  return (state.domains.find((d) => d.id.endsWith('.onmicrosoft.com'))?.id ?? state.domains[0].id).split('.')[0];
}

function newDrive(state: TenantState, id: string, name: string, webUrl: string): SimDrive {
  const drive: SimDrive = { id, name, webUrl, items: new Map() };
  const rootId = stableId(id, 'root');
  drive.items.set(rootId, { id: rootId, name: 'root', folder: true, root: true, size: 0, created: state.now.minus({ years: 3 }).toUTC().toISO()!, modified: state.now.toUTC().toISO()!, permissions: [], seq: state.seq++ });
  state.drives.set(id, drive);
  return drive;
}

export function rootOf(drive: SimDrive): SimItem {
  return [...drive.items.values()].find((i) => i.root)!;
}

/** Finds or creates the folders of a path below the root; returns the parent item of the last segment. */
export function ensureFolder(state: TenantState, drive: SimDrive, segments: string[]): SimItem {
  let parent = rootOf(drive);
  for (const seg of segments) {
    let next = [...drive.items.values()].find((i) => i.parentId === parent.id && !i.deleted && i.name.toLowerCase() === seg.toLowerCase());
    if (!next) {
      const now = state.now.toUTC().toISO()!;
      next = { id: stableId(drive.id, 'item', parent.id, seg, String(state.seq)), name: seg, parentId: parent.id, folder: true, size: 0, created: now, modified: now, permissions: [], seq: state.seq++ };
      drive.items.set(next.id, next);
    }
    parent = next;
  }
  return parent;
}

export function addFile(state: TenantState, drive: SimDrive, f: ScenarioFile): SimItem {
  const segments = f.path.split('/').filter(Boolean);
  const name = segments.pop()!;
  const parent = ensureFolder(state, drive, segments);
  const created = resolveWhen(f.created, state.now, '-10d');
  const item: SimItem = {
    id: stableId(drive.id, 'file', f.path), name, parentId: parent.id, folder: false, size: f.size ?? 1024, created,
    modified: f.modified ? resolveWhen(f.modified, state.now) : created, permissions: [], seq: state.seq++,
  };
  (f.sharing ?? []).forEach((s, i) => {
    const pid = stableId(item.id, 'perm', String(i));
    if (s.type === 'users') {
      item.permissions.push({ id: pid, roles: ['read'], grantedToIdentitiesV2: (s.recipients ?? []).map((email) => ({ user: { displayName: email, email } })), link: { scope: 'users', type: 'view', webUrl: `${drive.webUrl}/s/${pid}` } });
    } else {
      item.permissions.push({ id: pid, roles: ['read'], link: { scope: s.type, type: 'view', webUrl: `${drive.webUrl}/s/${pid}` } });
    }
  });
  drive.items.set(item.id, item);
  return item;
}

export function findUser(state: TenantState, idOrUpn: string): SimUser | undefined {
  const key = decodeURIComponent(idOrUpn).toLowerCase();
  return state.users.find((u) => u.id === key || u.userPrincipalName.toLowerCase() === key);
}
