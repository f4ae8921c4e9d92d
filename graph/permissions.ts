// The one statement of what CouncilGuard calls and what each call needs:
//   (a) ENDPOINTS: every Graph and Exchange endpoint, as a path template, with its least-privileged
//       application permission (from the Microsoft Learn page of the API), the licence Graph demands and why;
//   (b) SNAPSHOT_PART_ACCESS: each snapshot part -> the endpoints collect reads for it, and whether a check
//       reading it still runs without it;
//   (c) the write features (surrender steps, each remediation, report delivery) -> their endpoints.
// Everything else (403 hints, the manifest, the start-of-run self-check, permissions --check-tenant, the
// surrender's pre-flight, the remediations) derives from these; test/graph/permission-table.test.ts holds
// them against the simulator's routes.
import type { SnapshotPart } from '../core/snapshot';
import type { Licence } from './licences';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export type PermissionResource = 'Microsoft Graph' | 'Office 365 Exchange Online';

export interface Endpoint {
  method: HttpMethod;
  /**
   * Graph: the path below /v1.0 or /beta; Exchange: below the admin API's base URL. `{name}` stands for one
   * path segment (an id, an encoded address), `{name*}` for the rest of a drive path (may hold slashes).
   */
  path: string;
  /** The property written, when Graph names a permission per property (Update user). */
  property?: string;
  /** Least-privileged application permission (Graph names, or Exchange.ManageAsApp). */
  permission: string;
  /**
   * Higher-privileged permissions Graph also accepts for the call (the API page's "Higher privileged
   * permissions" column): a tenant that granted one of these instead of `permission` can make the call.
   */
  alsoAccepted: readonly string[];
  resource: PermissionResource;
  /** The licence Graph demands for the call (it answers 403 without it). */
  licence?: Licence;
  /** API versions CouncilGuard calls it on (default v1.0). */
  versions?: readonly ('v1.0' | 'beta')[];
  /** Why CouncilGuard calls it (the manifest lists these per permission). */
  reason: string;
}

interface EndpointOptions { licence?: Licence; property?: string; versions?: Endpoint['versions']; alsoAccepted?: readonly string[] }

const graph = (method: HttpMethod, path: string, permission: string, reason: string, opts: EndpointOptions = {}): Endpoint =>
  ({ method, path, permission, alsoAccepted: [], resource: 'Microsoft Graph', reason, ...opts });

const EXCHANGE_MANAGE_AS_APP = 'Exchange.ManageAsApp';
const exchange = (method: HttpMethod, path: string, reason: string): Endpoint =>
  ({ method, path, permission: EXCHANGE_MANAGE_AS_APP, alsoAccepted: [], resource: 'Office 365 Exchange Online', reason });

// Higher-privileged permissions from the "Permissions" tables of the API pages ("List users", "List
// groups", "List group members", "List directoryRoles", "List unifiedRoleAssignments", "List
// subscribedSkus", "List domains", "Get drive", "driveItem: delta", "Get a site", "Upload small files",
// "Create auditLogQuery"): a *.ReadWrite.* permission covers its *.Read.*, Directory.* covers the
// directory reads, Group.* covers GroupMember.*, Sites.* covers Files.* on a site's drives.
const USER_READ_HIGHER = ['User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const GROUP_READ_HIGHER = ['Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const GROUP_MEMBER_READ_HIGHER = ['Group.Read.All', 'GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const ROLE_READ_HIGHER = ['RoleManagement.Read.All', 'Directory.Read.All', 'RoleManagement.ReadWrite.Directory', 'Directory.ReadWrite.All'];
const ORG_READ_HIGHER = ['Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const DOMAIN_READ_HIGHER = ['Domain.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const AUDIT_QUERY_HIGHER = ['AuditLogsQuery.Read.All'];
const FILES_READ_HIGHER = ['Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'];
const SITES_READ_HIGHER = ['Sites.ReadWrite.All', 'Sites.Manage.All', 'Sites.FullControl.All'];
const SITES_WRITE_HIGHER = ['Files.ReadWrite.All', 'Sites.Manage.All', 'Sites.FullControl.All'];

// Order matters twice: a 403 is matched to the first endpoint with its method and path (the three PATCHes
// of a user share one path, so a refused one names User.EnableDisableAccount.All, as it always has), and
// a check's permissions are listed in the order they first appear here (directory reads first).
const E = {
  // "List users", "Get user": User.Read.All.
  listUsers: graph('GET', '/users', 'User.Read.All', 'list users and their password settings', { alsoAccepted: USER_READ_HIGHER }),
  getUser: graph('GET', '/users/{userId}', 'User.Read.All', 'read a user', { alsoAccepted: USER_READ_HIGHER }),
  // "List groups", "List group members": GroupMember.Read.All.
  listGroups: graph('GET', '/groups', 'GroupMember.Read.All', 'read the councillor group and its members', { alsoAccepted: GROUP_READ_HIGHER }),
  // "List a user's direct memberships": Learn names Directory.Read.All for applications, but Graph returns
  // the groups (the only memberships the surrender removes) to GroupMember.Read.All, as the simulator does.
  listUserMemberOf: graph('GET', '/users/{userId}/memberOf', 'GroupMember.Read.All', 'list the groups a leaver is in', { alsoAccepted: GROUP_READ_HIGHER }),
  // "List group transitive members": a role-assignable group's members, and nested groups.
  listGroupTransitiveMembers: graph('GET', '/groups/{groupId}/transitiveMembers', 'GroupMember.Read.All', 'resolve groups (nested too) to people', { alsoAccepted: GROUP_MEMBER_READ_HIGHER }),
  // "List unifiedRoleAssignments" (direct and group-assigned roles), "List roleDefinitions": RoleManagement.Read.Directory.
  listRoleAssignments: graph('GET', '/roleManagement/directory/roleAssignments', 'RoleManagement.Read.Directory', 'find administrators', { alsoAccepted: ROLE_READ_HIGHER }),
  listRoleDefinitions: graph('GET', '/roleManagement/directory/roleDefinitions', 'RoleManagement.Read.Directory', 'name administrator roles', { alsoAccepted: ROLE_READ_HIGHER }),
  // "List roleEligibilitySchedules" (PIM, P2): its own least-privileged permission; Directory.Read.All is
  // not accepted for it, RoleManagement.Read.Directory is.
  listRoleEligibility: graph('GET', '/roleManagement/directory/roleEligibilitySchedules', 'RoleEligibilitySchedule.Read.Directory', 'find administrators eligible through PIM', {
    licence: 'Entra ID P2', alsoAccepted: ['RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'RoleEligibilitySchedule.ReadWrite.Directory', 'RoleManagement.ReadWrite.Directory'],
  }),
  // "List subscribedSkus", "Get organization": Organization.Read.All.
  listSubscribedSkus: graph('GET', '/subscribedSkus', 'Organization.Read.All', 'read the tenant\'s licences', { alsoAccepted: ORG_READ_HIGHER }),
  getOrganization: graph('GET', '/organization', 'Organization.Read.All', 'read the organisation', { alsoAccepted: ORG_READ_HIGHER }),
  // "List domains", "Get domain": Domain.Read.All.
  listDomains: graph('GET', '/domains', 'Domain.Read.All', 'read domains and password expiry', { alsoAccepted: DOMAIN_READ_HIGHER }),
  getDomain: graph('GET', '/domains/{domainId}', 'Domain.Read.All', 'read domains and password expiry', { alsoAccepted: DOMAIN_READ_HIGHER }),
  // "List rules", "Update messageRule", "Get mailboxSettings", "Update mailboxSettings".
  listInboxRules: graph('GET', '/users/{userId}/mailFolders/inbox/messageRules', 'MailboxSettings.Read', 'read inbox rules (forwarding)', { alsoAccepted: ['MailboxSettings.ReadWrite'] }),
  updateInboxRule: graph('PATCH', '/users/{userId}/mailFolders/inbox/messageRules/{ruleId}', 'MailboxSettings.ReadWrite', 'disable a forwarding rule'),
  getMailboxSettings: graph('GET', '/users/{userId}/mailboxSettings', 'MailboxSettings.Read', 'read mailbox settings', { alsoAccepted: ['MailboxSettings.ReadWrite'] }),
  updateMailboxSettings: graph('PATCH', '/users/{userId}/mailboxSettings', 'MailboxSettings.ReadWrite', 'set the automatic reply'),
  // "Create auditLogQuery", "Get auditLogQuery", "List auditLogRecords": the Exchange-only query permission,
  // narrower than AuditLogsQuery.Read.All.
  createAuditQuery: graph('POST', '/security/auditLog/queries', 'AuditLogsQuery-Exchange.Read.All', 'mailbox access audit', { alsoAccepted: AUDIT_QUERY_HIGHER }),
  getAuditQuery: graph('GET', '/security/auditLog/queries/{queryId}', 'AuditLogsQuery-Exchange.Read.All', 'mailbox access audit', { alsoAccepted: AUDIT_QUERY_HIGHER }),
  listAuditRecords: graph('GET', '/security/auditLog/queries/{queryId}/records', 'AuditLogsQuery-Exchange.Read.All', 'mailbox access audit', { alsoAccepted: AUDIT_QUERY_HIGHER }),
  // The same three calls for Purview's sharing records ("Create auditLogQuery": permissions are per service,
  // OneDrive and SharePoint each its own). Far narrower than the Sites.FullControl.All that delta's
  // sharing-change preference needs ("driveItem: delta", scanning permissions hierarchies).
  createSharingAuditQuery: graph('POST', '/security/auditLog/queries', 'AuditLogsQuery-OneDrive.Read.All', 'sharing changes on unchanged OneDrive files', { alsoAccepted: AUDIT_QUERY_HIGHER }),
  getSharingAuditQuery: graph('GET', '/security/auditLog/queries/{queryId}', 'AuditLogsQuery-OneDrive.Read.All', 'sharing changes on unchanged OneDrive files', { alsoAccepted: AUDIT_QUERY_HIGHER }),
  listSharingAuditRecords: graph('GET', '/security/auditLog/queries/{queryId}/records', 'AuditLogsQuery-OneDrive.Read.All', 'sharing changes on unchanged OneDrive files', { alsoAccepted: AUDIT_QUERY_HIGHER }),
  createLibrarySharingAuditQuery: graph('POST', '/security/auditLog/queries', 'AuditLogsQuery-SharePoint.Read.All', 'sharing changes on unchanged council library files', { alsoAccepted: AUDIT_QUERY_HIGHER }),
  getLibrarySharingAuditQuery: graph('GET', '/security/auditLog/queries/{queryId}', 'AuditLogsQuery-SharePoint.Read.All', 'sharing changes on unchanged council library files', { alsoAccepted: AUDIT_QUERY_HIGHER }),
  listLibrarySharingAuditRecords: graph('GET', '/security/auditLog/queries/{queryId}/records', 'AuditLogsQuery-SharePoint.Read.All', 'sharing changes on unchanged council library files', { alsoAccepted: AUDIT_QUERY_HIGHER }),
  // "List userRegistrationDetails" (P1); "List methods" (the free-tier fallback).
  listRegistrationDetails: graph('GET', '/reports/authenticationMethods/userRegistrationDetails', 'AuditLog.Read.All', 'MFA registration report', { licence: 'Entra ID P1' }),
  listAuthenticationMethods: graph('GET', '/users/{userId}/authentication/methods', 'UserAuthenticationMethod.Read.All', 'MFA methods without P1', { alsoAccepted: ['UserAuthenticationMethod.ReadWrite.All'] }),
  // "Get strongAuthenticationRequirements" (beta only): Policy.Read.All.
  getPerUserMfa: graph('GET', '/users/{userId}/authentication/requirements', 'Policy.Read.All', 'per-user MFA state', { versions: ['beta'], alsoAccepted: ['Policy.ReadWrite.AuthenticationMethod'] }),
  // "List policies", "Get conditionalAccessPolicy" (P1).
  listConditionalAccess: graph('GET', '/identity/conditionalAccess/policies', 'Policy.Read.All', 'Conditional Access policies', { licence: 'Entra ID P1', alsoAccepted: ['Policy.ReadWrite.ConditionalAccess'] }),
  getConditionalAccess: graph('GET', '/identity/conditionalAccess/policies/{policyId}', 'Policy.Read.All', 'Conditional Access policies', { licence: 'Entra ID P1', alsoAccepted: ['Policy.ReadWrite.ConditionalAccess'] }),
  // "Create conditionalAccessPolicy", "Update conditionalaccesspolicy".
  createConditionalAccess: graph('POST', '/identity/conditionalAccess/policies', 'Policy.ReadWrite.ConditionalAccess', 'create the MFA policy', { licence: 'Entra ID P1' }),
  updateConditionalAccess: graph('PATCH', '/identity/conditionalAccess/policies/{policyId}', 'Policy.ReadWrite.ConditionalAccess', 'switch the MFA policy on', { licence: 'Entra ID P1' }),
  // "Get identitySecurityDefaultsEnforcementPolicy", "Update identitySecurityDefaultsEnforcementPolicy".
  getSecurityDefaults: graph('GET', '/policies/identitySecurityDefaultsEnforcementPolicy', 'Policy.Read.All', 'security defaults', { alsoAccepted: ['Policy.ReadWrite.SecurityDefaults'] }),
  updateSecurityDefaults: graph('PATCH', '/policies/identitySecurityDefaultsEnforcementPolicy', 'Policy.ReadWrite.SecurityDefaults', 'turn security defaults on'),
  // "List riskyUsers" (P2), "List signIns" (P1).
  listRiskyUsers: graph('GET', '/identityProtection/riskyUsers', 'IdentityRiskyUser.Read.All', 'users with leaked credentials', { licence: 'Entra ID P2', alsoAccepted: ['IdentityRiskyUser.ReadWrite.All'] }),
  listSignIns: graph('GET', '/auditLogs/signIns', 'AuditLog.Read.All', 'Exchange sign-in locations', { licence: 'Entra ID P1' }),
  // "List managedDevices", "managedDevice: retire" (Intune).
  listManagedDevices: graph('GET', '/deviceManagement/managedDevices', 'DeviceManagementManagedDevices.Read.All', 'device encryption and compliance', { licence: 'Intune', alsoAccepted: ['DeviceManagementManagedDevices.ReadWrite.All'] }),
  // "List managedDevices" (GET /users/{id}/managedDevices): the leaver's own devices. Not the tenant-wide list
  // with a userId $filter, which Intune is reported to ignore (microsoft-graph-explorer-v4 issue #3125).
  listUserManagedDevices: graph('GET', '/users/{userId}/managedDevices', 'DeviceManagementManagedDevices.Read.All', 'find a leaver\'s own devices', { licence: 'Intune', alsoAccepted: ['DeviceManagementManagedDevices.ReadWrite.All'] }),
  retireManagedDevice: graph('POST', '/deviceManagement/managedDevices/{deviceId}/retire', 'DeviceManagementManagedDevices.PrivilegedOperations.All', 'retire a leaver\'s devices', { licence: 'Intune' }),
  // Drives: "Get drive", "driveItem: delta", "List sharing permissions on a driveItem", "Delete a sharing
  // permission", "Get driveItem", "List children", "Download driveItem content": Files.Read.All / Files.ReadWrite.All.
  getUserDrive: graph('GET', '/users/{userId}/drive', 'Files.Read.All', 'find councillors\' OneDrives', { alsoAccepted: FILES_READ_HIGHER }),
  driveDelta: graph('GET', '/drives/{driveId}/root/delta', 'Files.Read.All', 'list drive items (delta)', { alsoAccepted: FILES_READ_HIGHER }),
  listItemPermissions: graph('GET', '/drives/{driveId}/items/{itemId}/permissions', 'Files.Read.All', 'sharing of shared items', { alsoAccepted: FILES_READ_HIGHER }),
  deleteItemPermission: graph('DELETE', '/drives/{driveId}/items/{itemId}/permissions/{permissionId}', 'Files.ReadWrite.All', 'remove an anyone-link', { alsoAccepted: ['Sites.ReadWrite.All'] }),
  // "driveItem: createLink": Files.ReadWrite.All (undoing the removal of an anyone-link).
  createSharingLink: graph('POST', '/drives/{driveId}/items/{itemId}/createLink', 'Files.ReadWrite.All', 'remove an anyone-link', { alsoAccepted: ['Sites.ReadWrite.All'] }),
  getDrive: graph('GET', '/drives/{driveId}', 'Files.Read.All', 'read drive items', { alsoAccepted: FILES_READ_HIGHER }),
  getDriveItem: graph('GET', '/drives/{driveId}/items/{itemId}', 'Files.Read.All', 'read drive items', { alsoAccepted: FILES_READ_HIGHER }),
  getDriveItemByPath: graph('GET', '/drives/{driveId}/items/{parentId}:/{path*}', 'Files.Read.All', 'read drive items', { alsoAccepted: FILES_READ_HIGHER }),
  listDriveChildren: graph('GET', '/drives/{driveId}/items/{itemId}/children', 'Files.Read.All', 'read drive items', { alsoAccepted: FILES_READ_HIGHER }),
  getDriveItemContent: graph('GET', '/drives/{driveId}/items/{itemId}/content', 'Files.Read.All', 'read drive items', { alsoAccepted: FILES_READ_HIGHER }),
  // Writing the archive and the reports into the council's SharePoint library: "Upload small files",
  // "Create folder", "Create an upload session". Sites.ReadWrite.All, because the library is a site's and
  // the app is not given every user's files.
  putContentByPath: graph('PUT', '/drives/{driveId}/items/{parentId}:/{path*}:/content', 'Sites.ReadWrite.All', 'write the archive and reports into SharePoint', { alsoAccepted: SITES_WRITE_HIGHER }),
  putContentAtRoot: graph('PUT', '/drives/{driveId}/root:/{path*}:/content', 'Sites.ReadWrite.All', 'write the archive and reports into SharePoint', { alsoAccepted: SITES_WRITE_HIGHER }),
  putItemContent: graph('PUT', '/drives/{driveId}/items/{itemId}/content', 'Sites.ReadWrite.All', 'write the archive and reports into SharePoint', { alsoAccepted: SITES_WRITE_HIGHER }),
  createFolder: graph('POST', '/drives/{driveId}/items/{parentId}/children', 'Sites.ReadWrite.All', 'create folders and upload sessions in SharePoint', { alsoAccepted: SITES_WRITE_HIGHER }),
  createUploadSessionByPath: graph('POST', '/drives/{driveId}/items/{parentId}:/{path*}:/createUploadSession', 'Sites.ReadWrite.All', 'create folders and upload sessions in SharePoint', { alsoAccepted: SITES_WRITE_HIGHER }),
  createUploadSessionAtRoot: graph('POST', '/drives/{driveId}/root:/{path*}:/createUploadSession', 'Sites.ReadWrite.All', 'create folders and upload sessions in SharePoint', { alsoAccepted: SITES_WRITE_HIGHER }),
  // "Get a site resource" (by id or by server-relative URL), "List drives": Sites.Read.All; Files.Read.All
  // does not cover finding a site.
  getSite: graph('GET', '/sites/{siteId}', 'Sites.Read.All', 'find the council library', { alsoAccepted: SITES_READ_HIGHER }),
  getSiteByPath: graph('GET', '/sites/{hostname}:/{path*}', 'Sites.Read.All', 'find the council library', { alsoAccepted: SITES_READ_HIGHER }),
  listSiteDrives: graph('GET', '/sites/{siteId}/drives', 'Sites.Read.All', 'find the council library', { alsoAccepted: SITES_READ_HIGHER }),
  // A leaver's mailbox: "List mailFolders", "List childFolders", "List messages", "Get message" (and its
  // MIME content), "List contacts", "List events".
  listMailFolders: graph('GET', '/users/{userId}/mailFolders', 'Mail.Read', 'export a leaver\'s mailbox', { alsoAccepted: ['Mail.ReadWrite'] }),
  listChildFolders: graph('GET', '/users/{userId}/mailFolders/{folderId}/childFolders', 'Mail.Read', 'export a leaver\'s mailbox', { alsoAccepted: ['Mail.ReadWrite'] }),
  listFolderMessages: graph('GET', '/users/{userId}/mailFolders/{folderId}/messages', 'Mail.Read', 'export a leaver\'s mailbox', { alsoAccepted: ['Mail.ReadWrite'] }),
  // "Get mailFolder": totalItemCount re-read at verify, to reconcile the archive with the mailbox.
  getMailFolder: graph('GET', '/users/{userId}/mailFolders/{folderId}', 'Mail.Read', 'verify a leaver\'s mailbox export', { alsoAccepted: ['Mail.ReadWrite'] }),
  getMessage: graph('GET', '/users/{userId}/messages/{messageId}', 'Mail.Read', 'export a leaver\'s mailbox', { alsoAccepted: ['Mail.ReadWrite'] }),
  getMessageMime: graph('GET', '/users/{userId}/messages/{messageId}/$value', 'Mail.Read', 'export a leaver\'s mailbox', { alsoAccepted: ['Mail.ReadWrite'] }),
  listContacts: graph('GET', '/users/{userId}/contacts', 'Contacts.Read', 'export contacts', { alsoAccepted: ['Contacts.ReadWrite'] }),
  // "List contactFolders", "List childFolders", "List contacts" (of a folder).
  listContactFolders: graph('GET', '/users/{userId}/contactFolders', 'Contacts.Read', 'export every contact folder', { alsoAccepted: ['Contacts.ReadWrite'] }),
  listContactChildFolders: graph('GET', '/users/{userId}/contactFolders/{folderId}/childFolders', 'Contacts.Read', 'export every contact folder', { alsoAccepted: ['Contacts.ReadWrite'] }),
  listFolderContacts: graph('GET', '/users/{userId}/contactFolders/{folderId}/contacts', 'Contacts.Read', 'export every contact folder', { alsoAccepted: ['Contacts.ReadWrite'] }),
  listEvents: graph('GET', '/users/{userId}/events', 'Calendars.Read', 'export the calendar', { alsoAccepted: ['Calendars.ReadWrite'] }),
  // "List calendars", "List events" (of a calendar), "List instances" (a series' changed occurrences).
  listCalendars: graph('GET', '/users/{userId}/calendars', 'Calendars.Read', 'export every calendar', { alsoAccepted: ['Calendars.ReadWrite'] }),
  listCalendarEvents: graph('GET', '/users/{userId}/calendars/{calendarId}/events', 'Calendars.Read', 'export every calendar', { alsoAccepted: ['Calendars.ReadWrite'] }),
  listEventInstances: graph('GET', '/users/{userId}/events/{eventId}/instances', 'Calendars.Read', 'export recurring meetings with their changes', { alsoAccepted: ['Calendars.ReadWrite'] }),
  // "List attachments" (event) and "Get attachment" ($value: a file's bytes, an Outlook item's MIME; 405 for a
  // reference attachment): agendas and papers saved beside the calendar's .ics.
  listEventAttachments: graph('GET', '/users/{userId}/calendars/{calendarId}/events/{eventId}/attachments', 'Calendars.Read', 'export the papers attached to meetings', { alsoAccepted: ['Calendars.ReadWrite'] }),
  getEventAttachmentContent: graph('GET', '/users/{userId}/calendars/{calendarId}/events/{eventId}/attachments/{attachmentId}/$value', 'Calendars.Read', 'export the papers attached to meetings', { alsoAccepted: ['Calendars.ReadWrite'] }),
  // "user: sendMail".
  sendMail: graph('POST', '/users/{userId}/sendMail', 'Mail.Send', 'send the summary and the certificate link'),
  // "Update strongAuthenticationRequirements" (beta only).
  updatePerUserMfa: graph('PATCH', '/users/{userId}/authentication/requirements', 'Policy.ReadWrite.AuthenticationMethod', 'set per-user MFA to enforced', { versions: ['beta'] }),
  // "Delete conditionalAccessPolicy".
  deleteConditionalAccess: graph('DELETE', '/identity/conditionalAccess/policies/{policyId}', 'Policy.ReadWrite.ConditionalAccess', 'undo: delete the MFA policy CouncilGuard created', { licence: 'Entra ID P1' }),
  // "Update domain".
  updateDomain: graph('PATCH', '/domains/{domainId}', 'Domain.ReadWrite.All', 'set the domain\'s password expiry to the policy'),
  // "Update user" names a permission per property written.
  blockSignIn: graph('PATCH', '/users/{userId}', 'User.EnableDisableAccount.All', 'block sign-in', { property: 'accountEnabled', alsoAccepted: ['User.ReadWrite.All', 'Directory.ReadWrite.All'] }),
  updatePasswordPolicies: graph('PATCH', '/users/{userId}', 'User.ReadWrite.All', 'remove DisableStrongPassword from a user', { property: 'passwordPolicies', alsoAccepted: ['Directory.ReadWrite.All'] }),
  updatePasswordProfile: graph('PATCH', '/users/{userId}', 'User-PasswordProfile.ReadWrite.All', 'require a password change after leaked credentials', { property: 'passwordProfile', alsoAccepted: ['User.ReadWrite.All', 'Directory.ReadWrite.All'] }),
  // "user: revokeSignInSessions", "user: assignLicense", "Remove member" (from a group).
  revokeSignInSessions: graph('POST', '/users/{userId}/revokeSignInSessions', 'User.RevokeSessions.All', 'revoke sessions', { alsoAccepted: ['User.ReadWrite.All', 'Directory.ReadWrite.All'] }),
  assignLicense: graph('POST', '/users/{userId}/assignLicense', 'LicenseAssignment.ReadWrite.All', 'remove licences after verification', { alsoAccepted: ['User.ReadWrite.All', 'Directory.ReadWrite.All'] }),
  removeGroupMember: graph('DELETE', '/groups/{groupId}/members/{memberId}/$ref', 'GroupMember.ReadWrite.All', 'remove a leaver from groups', { alsoAccepted: ['Group.ReadWrite.All', 'Directory.ReadWrite.All'] }),
  // The Exchange Online admin API (Get-Mailbox, Get/Set-HostedOutboundSpamFilterPolicy, Set-Mailbox,
  // Add-MailboxPermission): the app role Exchange.ManageAsApp plus an Exchange role for the app.
  exchangeInvokeCommand: exchange('POST', '/adminapi/beta/{tenantId}/InvokeCommand', 'mailbox-level forwarding and the organisation forwarding policy (Exchange admin API)'),
} satisfies Record<string, Endpoint>;

export const ENDPOINTS: readonly Endpoint[] = Object.values(E);

/** The endpoint's path as a regex over a request path that starts with /v1.0 or /beta (a query allowed). */
function compileGraphPath(template: string): RegExp {
  const body = template.split(/(\{[A-Za-z]+\*?\})/).map((piece) => {
    if (/^\{[A-Za-z]+\*\}$/.test(piece)) return '.+';
    if (/^\{[A-Za-z]+\}$/.test(piece)) return '[^/]+';
    return piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('');
  return new RegExp(`^/(v1\\.0|beta)${body}(\\?.*)?$`, 'i');
}

const GRAPH_PATTERNS = ENDPOINTS.filter((e) => e.resource === 'Microsoft Graph').map((e) => ({ endpoint: e, pattern: compileGraphPath(e.path) }));

/** The Graph endpoint a call is to, from the method and the path (with /v1.0 or /beta; a host is ignored). */
export function graphEndpointFor(method: string, path: string): Endpoint | undefined {
  const clean = path.replace(/^https?:\/\/[^/]+/i, '');
  return GRAPH_PATTERNS.find((p) => p.endpoint.method === method.toUpperCase() && p.pattern.test(clean))?.endpoint;
}

/** The permission a Graph call needs, for the hint on a 403. */
export function permissionFor(method: string, path: string): string | undefined {
  return graphEndpointFor(method, path)?.permission;
}

/** Whether the granted permissions let the app make the call (its least-privileged one or a higher one). */
export function endpointAllowed(endpoint: Endpoint, granted: ReadonlySet<string>): boolean {
  return granted.has(endpoint.permission) || endpoint.alsoAccepted.some((p) => granted.has(p));
}

/** The least-privileged permissions of the calls the granted permissions do not allow, in the order given. */
export function unmetPermissions(endpoints: readonly Endpoint[], granted: ReadonlySet<string>): string[] {
  return permissionsOf(endpoints.filter((e) => !endpointAllowed(e, granted)));
}

/**
 * Whether a permission the manifest names is in effect granted: it is, or every call CouncilGuard makes
 * with it also accepts one that is (so a broader grant counts only where Graph honours it for all of them).
 */
export function permissionSatisfied(permission: string, granted: ReadonlySet<string>): boolean {
  return granted.has(permission) || ENDPOINTS.filter((e) => e.permission === permission).every((e) => endpointAllowed(e, granted));
}

/** Granted permissions broader than `permission` that Graph accepts for some of its calls. */
export function broaderGrantsFor(permission: string, granted: ReadonlySet<string>): string[] {
  return [...new Set(ENDPOINTS.filter((e) => e.permission === permission).flatMap((e) => e.alsoAccepted))].filter((p) => granted.has(p));
}

/** Every permission name CouncilGuard may ask for (the manifest is checked against this). */
export const KNOWN_PERMISSIONS: ReadonlySet<string> = new Set(ENDPOINTS.map((e) => e.permission));

/** The resource a permission is granted on. */
export function resourceOf(permission: string): PermissionResource {
  return ENDPOINTS.find((e) => e.permission === permission)?.resource ?? 'Microsoft Graph';
}

/** Why each permission is asked for: its endpoints' reasons, in table order, without repeats. */
export function reasonsFor(permission: string): string[] {
  return [...new Set(ENDPOINTS.filter((e) => e.permission === permission).map((e) => e.reason))];
}

// ---------------------------------------------------------------------------------------------------------
// (b) Snapshot parts.

export interface PartAccess {
  /** What collect reads for the part (jobs/collect.ts). */
  endpoints: readonly Endpoint[];
  /** Read first when allowed; without them collect falls back to `endpoints` (the P1 registration report). */
  preferredEndpoints?: readonly Endpoint[];
  /** A check reading the part still runs without it, reporting that part as a partial skip. */
  optional: boolean;
  /** The licence without which a check reading the part is skipped (not failed). */
  licence?: Licence;
  /** collect reads the users and the councillor group first to scope this part (jobs/collect.ts needUsers). */
  scopedByUsers: boolean;
}

const part = (endpoints: Endpoint[], opts: Partial<Omit<PartAccess, 'endpoints'>> = {}): PartAccess =>
  ({ endpoints, optional: false, scopedByUsers: true, ...opts });

export const SNAPSHOT_PART_ACCESS: Readonly<Record<SnapshotPart, PartAccess>> = {
  users: part([E.listUsers, E.listRoleAssignments, E.listGroupTransitiveMembers]),
  // PIM eligibility (P2): without it the MFA checks still run and say the eligible part was skipped.
  adminEligibility: part([E.listRoleEligibility], { optional: true }),
  councillorGroup: part([E.listGroups, E.listGroupTransitiveMembers]),
  domains: part([E.listDomains], { scopedByUsers: false }),
  inboxRules: part([E.listInboxRules]),
  // Exchange is connected per tenant; without it the forwarding check still judges inbox rules.
  mailboxForwarding: part([E.exchangeInvokeCommand], { optional: true }),
  orgForwardingPolicy: part([E.exchangeInvokeCommand], { optional: true, scopedByUsers: false }),
  mfaRegistration: part([E.listAuthenticationMethods], { preferredEndpoints: [E.listRegistrationDetails] }),
  perUserMfa: part([E.getPerUserMfa]),
  conditionalAccess: part([E.listConditionalAccess, E.listGroupTransitiveMembers]),
  securityDefaults: part([E.getSecurityDefaults], { scopedByUsers: false }),
  riskyUsers: part([E.listRiskyUsers], { optional: true }),
  // collect reads the three drive parts together (OneDrives and the library, then their shared items).
  oneDrives: part([E.getUserDrive, E.driveDelta]),
  councilLibrary: part([E.getSite, E.getSiteByPath, E.listSiteDrives, E.driveDelta]),
  sharingPermissions: part([E.listItemPermissions]),
  mailboxAudit: part([E.createAuditQuery, E.getAuditQuery, E.listAuditRecords]),
  // Without it sharing on files whose content did not change is seen only when the file changes.
  sharingAudit: part([
    E.createSharingAuditQuery, E.getSharingAuditQuery, E.listSharingAuditRecords,
    E.createLibrarySharingAuditQuery, E.getLibrarySharingAuditQuery, E.listLibrarySharingAuditRecords,
  ], { optional: true }),
  signIns: part([E.listSignIns], { optional: true }),
  devices: part([E.listManagedDevices], { licence: 'Intune' }),
  // From CouncilGuard's own store, not the tenant.
  surrenders: part([]),
};

export interface PartsAccess {
  /** Without any of these a check reading the parts cannot run (it is skipped whole). */
  required: string[];
  /** The calls behind `required` (a higher permission Graph accepts for each of them does instead). */
  requiredEndpoints: Endpoint[];
  /** Without these only a part of the check is skipped. */
  optional: string[];
  /** Licences without which the check is skipped. */
  licences: Licence[];
}

const tableOrder = (permissions: Iterable<string>) => {
  const wanted = new Set(permissions);
  return [...new Set(ENDPOINTS.map((e) => e.permission))].filter((p) => wanted.has(p));
};

/** What reading the given parts needs (as collect reads them: a per-user part brings users and the group). */
export function accessForParts(parts: readonly SnapshotPart[]): PartsAccess {
  const all = new Set<SnapshotPart>(parts);
  if (parts.some((p) => SNAPSHOT_PART_ACCESS[p].scopedByUsers)) all.add('users').add('councillorGroup');
  const required = new Set<string>();
  const optional = new Set<string>();
  const requiredEndpoints = new Set<Endpoint>();
  const licences: Licence[] = [];
  for (const p of all) {
    const access = SNAPSHOT_PART_ACCESS[p];
    for (const e of access.endpoints) {
      (access.optional ? optional : required).add(e.permission);
      if (!access.optional) requiredEndpoints.add(e);
    }
    for (const e of access.preferredEndpoints ?? []) optional.add(e.permission);
    if (access.licence && !licences.includes(access.licence)) licences.push(access.licence);
  }
  return { required: tableOrder(required), requiredEndpoints: [...requiredEndpoints], optional: tableOrder([...optional].filter((p) => !required.has(p))), licences };
}

// ---------------------------------------------------------------------------------------------------------
// (c) Write features.

export interface SurrenderStep {
  why: string;
  endpoints: readonly Endpoint[];
  /** Without the permission this part of the surrender is skipped, and said so. */
  optional?: boolean;
  /** Only when one of these surrender options is on. */
  whenAnyOption?: readonly string[];
  /**
   * Also called, and allowed by this step's permission (a higher-privileged one Graph accepts for them, as
   * their `alsoAccepted` records), so the surrender asks for nothing more.
   */
  coveredReads?: readonly Endpoint[];
}

/** The surrender (offboarding/), step by step. */
export const SURRENDER_STEPS: readonly SurrenderStep[] = [
  { why: 'read the councillor\'s account', endpoints: [E.getUser] },
  { why: 'make sure the councillor is not an administrator', endpoints: [E.listRoleAssignments, E.listRoleDefinitions, E.listGroupTransitiveMembers] },
  { why: 'make sure the councillor is not eligible for an administrator role (PIM)', endpoints: [E.listRoleEligibility], optional: true },
  { why: 'export the mailbox', endpoints: [E.listMailFolders, E.listChildFolders, E.listFolderMessages, E.getMessageMime, E.getMessage, E.getMailFolder] },
  { why: 'check for an online archive mailbox (Exchange admin API Get-Mailbox); without it the mailbox is kept, as it cannot be checked', endpoints: [E.exchangeInvokeCommand], optional: true },
  { why: 'export the contacts', endpoints: [E.listContacts, E.listContactFolders, E.listContactChildFolders, E.listFolderContacts] },
  { why: 'export the calendar', endpoints: [E.listCalendars, E.listCalendarEvents, E.listEventInstances, E.listEventAttachments, E.getEventAttachmentContent], coveredReads: [E.listEvents] },
  { why: 'export the OneDrive', endpoints: [E.getUserDrive, E.driveDelta, E.getDriveItemContent, E.getDriveItem, E.listDriveChildren, E.getDriveItemByPath] },
  {
    why: 'write the archive library',
    endpoints: [E.putContentByPath, E.putItemContent, E.createFolder, E.createUploadSessionByPath],
    coveredReads: [E.getSite, E.getSiteByPath, E.listSiteDrives],
  },
  { why: 'block sign-in', endpoints: [E.blockSignIn] },
  { why: 'sign the councillor out everywhere', endpoints: [E.revokeSignInSessions] },
  { why: 'set the automatic reply', endpoints: [E.updateMailboxSettings], coveredReads: [E.getMailboxSettings] },
  { why: 'remove the councillor from groups', endpoints: [E.removeGroupMember], coveredReads: [E.listUserMemberOf] },
  { why: 'remove licences after verification', endpoints: [E.assignLicense] },
  // The sender's Sent Items is read before a resend, so a crash after sending never emails the clerk twice.
  { why: 'email the clerk the certificate link', endpoints: [E.sendMail, E.listFolderMessages], optional: true },
  { why: 'find the councillor\'s Intune devices', endpoints: [E.listUserManagedDevices], optional: true },
  { why: 'retire (selectively wipe) the councillor\'s devices', endpoints: [E.retireManagedDevice], optional: true },
  {
    why: 'convert the mailbox to shared and give the clerk access (Exchange admin API)',
    endpoints: [E.exchangeInvokeCommand],
    whenAnyOption: ['convertToShared', 'grantClerkFullAccess'],
  },
];

export type WriteFeature = 'enforce.forwarding' | 'enforce.mfa' | 'enforce.passwords' | 'enforce.sharing' | 'delivery.sharePoint' | 'delivery.email';

/** Each remediation's writes (and their undos), and report delivery. Their reads use the checks' grants. */
export const WRITE_FEATURE_ENDPOINTS: Readonly<Record<WriteFeature, readonly Endpoint[]>> = {
  'enforce.forwarding': [E.updateInboxRule, E.exchangeInvokeCommand],
  'enforce.mfa': [E.updateSecurityDefaults, E.createConditionalAccess, E.updateConditionalAccess, E.deleteConditionalAccess, E.updatePerUserMfa],
  'enforce.passwords': [E.updateDomain, E.updatePasswordPolicies, E.updatePasswordProfile],
  'enforce.sharing': [E.deleteItemPermission, E.createSharingLink],
  // The site and library lookup before uploading is allowed by Sites.ReadWrite.All.
  'delivery.sharePoint': [E.putContentAtRoot, E.createUploadSessionAtRoot],
  'delivery.email': [E.sendMail],
};

/** Read on every run, whatever the checks: the licences, to judge which licensed reads to try. */
export const EVERY_RUN_ENDPOINTS: readonly Endpoint[] = [E.listSubscribedSkus];

/** The permissions of these endpoints, in the order given, without repeats. */
export function permissionsOf(endpoints: readonly Endpoint[]): string[] {
  return [...new Set(endpoints.map((e) => e.permission))];
}
