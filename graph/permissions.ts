// Endpoint -> least-privileged application permission, for the reads and writes CouncilGuard makes.
// Used to name the missing permission on a 403, and by the permission manifest.
export interface PermissionRule {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: RegExp;
  permission: string;
  reason: string;
}

const ID = '[^/]+';
const r = (method: PermissionRule['method'], path: string, permission: string, reason: string): PermissionRule => ({
  method, path: new RegExp(`^/(v1\\.0|beta)${path}(\\?.*)?$`, 'i'), permission, reason,
});

export const PERMISSION_RULES: PermissionRule[] = [
  r('GET', '/users', 'User.Read.All', 'list users and their password settings'),
  r('GET', `/users/${ID}`, 'User.Read.All', 'read a user'),
  r('GET', '/directoryRoles(/.*)?', 'RoleManagement.Read.Directory', 'find administrators'),
  r('GET', `/groups(/${ID}/members)?`, 'GroupMember.Read.All', 'read the councillor group and its members'),
  r('GET', '/subscribedSkus', 'Organization.Read.All', 'read the tenant\'s licences'),
  r('GET', '/organization', 'Organization.Read.All', 'read the organisation'),
  r('GET', '/domains', 'Domain.Read.All', 'read domains and password expiry'),
  r('GET', `/users/${ID}/mailFolders/inbox/messageRules`, 'MailboxSettings.Read', 'read inbox rules (forwarding)'),
  r('PATCH', `/users/${ID}/mailFolders/inbox/messageRules/${ID}`, 'MailboxSettings.ReadWrite', 'disable a forwarding rule'),
  r('GET', `/users/${ID}/mailboxSettings`, 'MailboxSettings.Read', 'read mailbox settings'),
  r('PATCH', `/users/${ID}/mailboxSettings`, 'MailboxSettings.ReadWrite', 'set the automatic reply'),
  r('GET', '/reports/authenticationMethods/userRegistrationDetails', 'AuditLog.Read.All', 'MFA registration report'),
  r('GET', `/users/${ID}/authentication/methods`, 'UserAuthenticationMethod.Read.All', 'MFA methods without P1'),
  r('GET', `/users/${ID}/authentication/requirements`, 'Policy.Read.All', 'per-user MFA state'),
  r('GET', '/identity/conditionalAccess/policies(/.*)?', 'Policy.Read.All', 'Conditional Access policies'),
  r('POST', '/identity/conditionalAccess/policies', 'Policy.ReadWrite.ConditionalAccess', 'create the MFA policy'),
  r('PATCH', `/identity/conditionalAccess/policies/${ID}`, 'Policy.ReadWrite.ConditionalAccess', 'switch the MFA policy on'),
  r('GET', '/policies/identitySecurityDefaultsEnforcementPolicy', 'Policy.Read.All', 'security defaults'),
  r('PATCH', '/policies/identitySecurityDefaultsEnforcementPolicy', 'Policy.ReadWrite.SecurityDefaults', 'turn security defaults on'),
  r('GET', '/identityProtection/riskyUsers', 'IdentityRiskyUser.Read.All', 'users with leaked credentials'),
  r('GET', '/auditLogs/signIns', 'AuditLog.Read.All', 'Exchange sign-in locations'),
  r('GET', '/auditLogs/directoryAudits', 'AuditLog.Read.All', 'directory changes'),
  r('POST', '/security/auditLog/queries', 'AuditLogsQuery-Exchange.Read.All', 'mailbox access audit'),
  r('GET', '/security/auditLog/queries(/.*)?', 'AuditLogsQuery-Exchange.Read.All', 'mailbox access audit'),
  r('GET', '/deviceManagement/managedDevices', 'DeviceManagementManagedDevices.Read.All', 'device encryption and compliance'),
  r('POST', `/deviceManagement/managedDevices/${ID}/retire`, 'DeviceManagementManagedDevices.PrivilegedOperations.All', 'retire a leaver\'s devices'),
  r('GET', `/users/${ID}/drive`, 'Files.Read.All', 'find councillors\' OneDrives'),
  r('GET', `/drives/${ID}/root/delta`, 'Files.Read.All', 'list drive items (delta)'),
  r('GET', `/drives/${ID}/items/${ID}/permissions`, 'Files.Read.All', 'sharing of shared items'),
  r('DELETE', `/drives/${ID}/items/${ID}/permissions/${ID}`, 'Files.ReadWrite.All', 'remove an anyone-link'),
  r('GET', `/drives/${ID}(/.*)?`, 'Files.Read.All', 'read drive items'),
  r('PUT', `/drives/${ID}/.*`, 'Sites.ReadWrite.All', 'write the archive and reports into SharePoint'),
  r('POST', `/drives/${ID}/.*`, 'Sites.ReadWrite.All', 'create folders and upload sessions in SharePoint'),
  r('GET', `/sites/${ID}(/drives)?`, 'Sites.Read.All', 'find the council library'),
  r('GET', `/users/${ID}/(mailFolders|messages)(/.*)?`, 'Mail.Read', 'export a leaver\'s mailbox'),
  r('GET', `/users/${ID}/contacts(/.*)?`, 'Contacts.Read', 'export contacts'),
  r('GET', `/users/${ID}/(events|calendar)(/.*)?`, 'Calendars.Read', 'export the calendar'),
  r('POST', `/users/${ID}/sendMail`, 'Mail.Send', 'send the summary and the certificate link'),
  r('PATCH', `/users/${ID}/authentication/requirements`, 'Policy.ReadWrite.AuthenticationMethod', 'set per-user MFA to enforced'),
  r('DELETE', `/identity/conditionalAccess/policies/${ID}`, 'Policy.ReadWrite.ConditionalAccess', 'undo: delete the MFA policy CouncilGuard created'),
  r('PATCH', `/domains/${ID}`, 'Domain.ReadWrite.All', 'set the domain\'s password expiry to the policy'),
  r('PATCH', `/users/${ID}`, 'User.EnableDisableAccount.All', 'block sign-in'),
  // Other PATCHes of a user (passwordPolicies, passwordProfile) are matched above by path; listed so the
  // manifest can name them with their reasons.
  r('PATCH', `/users/${ID}#passwordPolicies`, 'User.ReadWrite.All', 'remove DisableStrongPassword from a user'),
  r('PATCH', `/users/${ID}#passwordProfile`, 'User-PasswordProfile.ReadWrite.All', 'require a password change after leaked credentials'),
  r('POST', `/users/${ID}/revokeSignInSessions`, 'User.RevokeSessions.All', 'revoke sessions'),
  r('POST', `/users/${ID}/assignLicense`, 'LicenseAssignment.ReadWrite.All', 'remove licences after verification'),
  r('DELETE', `/groups/${ID}/members/${ID}/\\$ref`, 'GroupMember.ReadWrite.All', 'remove a leaver from groups'),
];

export const EXCHANGE_PERMISSION = 'Exchange.ManageAsApp';

/** Every permission name CouncilGuard may ask for (the manifest is checked against this). */
export const KNOWN_PERMISSIONS: ReadonlySet<string> = new Set([...PERMISSION_RULES.map((p) => p.permission), EXCHANGE_PERMISSION]);

/** The permission a call needs, from the method and the path (with /v1.0 or /beta). */
export function permissionFor(method: string, path: string): string | undefined {
  const clean = path.replace(/^https?:\/\/[^/]+/i, '');
  return PERMISSION_RULES.find((p) => p.method === method.toUpperCase() && p.path.test(clean))?.permission;
}
