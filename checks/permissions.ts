// Application permission names the checks declare. Least-privileged per the Graph reference pages
// (see GRAPH-NOTES.md); a constant per read so a name is spelled once.

/** Users (User.Read.All), their directory roles (RoleManagement.Read.Directory: /directoryRoles and
 *  members) and the councillor group (GroupMember.Read.All: list groups, list members). Every check
 *  reads these, because collect scopes each per-user read by them. */
export const DIRECTORY_READS = ['User.Read.All', 'GroupMember.Read.All', 'RoleManagement.Read.Directory'];

/** Drive items, delta and item permissions: Files.Read.All. Finding the council site by id or URL
 *  (GET /sites/...) needs Sites.Read.All; Files.Read.All does not cover site lookup. */
export const FILES_READS = ['Files.Read.All', 'Sites.Read.All'];

export const DOMAINS_READ = 'Domain.Read.All';
export const INBOX_RULES_READ = 'MailboxSettings.Read';
/** Exchange admin REST (Get-Mailbox, Get-HostedOutboundSpamFilterPolicy); optional per tenant. */
export const EXCHANGE = 'Exchange.ManageAsApp';
/** Security defaults, Conditional Access and per-user MFA state (beta authentication/requirements). */
export const POLICY_READ = 'Policy.Read.All';
/** The registration report (P1), and sign-in logs (P1). */
export const AUDIT_LOG_READ = 'AuditLog.Read.All';
/** Per-user authentication methods: the free-tier fallback for MFA registration. */
export const AUTH_METHODS_READ = 'UserAuthenticationMethod.Read.All';
export const RISKY_USERS_READ = 'IdentityRiskyUser.Read.All';
/** Purview audit log queries over the Exchange workload only (narrower than AuditLogsQuery.Read.All). */
export const EXCHANGE_AUDIT_QUERY = 'AuditLogsQuery-Exchange.Read.All';
export const DEVICES_READ = 'DeviceManagementManagedDevices.Read.All';
