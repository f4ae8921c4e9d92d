// Small scenarios for tests, in code: a valid tenant with sensible defaults that a test overrides only
// where it matters. The result is validated like a scenario file.
import { parseScenario, type Scenario, type ScenarioUser } from './scenario';
import { stableId } from './state';

/** Microsoft 365 Business Premium's service plans that matter here: Exchange, SharePoint, Entra ID P1, Intune. */
export const BUSINESS_PREMIUM = { skuPartNumber: 'SPB', servicePlans: ['EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD', 'AAD_PREMIUM', 'INTUNE_A', 'MFA_PREMIUM'] };
/** Microsoft 365 Business Basic: Exchange and SharePoint, Entra ID Free (no P1, no Intune). */
export const BUSINESS_BASIC = { skuPartNumber: 'O365_BUSINESS_ESSENTIALS', servicePlans: ['EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD', 'TEAMS1'] };
/** Office 365 E5 with Entra ID P2 (risky users). */
export const E5 = { skuPartNumber: 'SPE_E5', servicePlans: ['EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'AAD_PREMIUM', 'AAD_PREMIUM_P2', 'INTUNE_A'] };

/** Every application permission some simulator route accepts (grant all, then take away what a test needs missing). */
export const ALL_PERMISSIONS = [
  'User.Read.All', 'User.ReadWrite.All', 'User.EnableDisableAccount.All', 'User.RevokeSessions.All', 'User-PasswordProfile.ReadWrite.All',
  'GroupMember.Read.All', 'GroupMember.ReadWrite.All', 'RoleManagement.Read.Directory', 'Organization.Read.All', 'Domain.Read.All',
  'LicenseAssignment.ReadWrite.All', 'MailboxSettings.Read', 'MailboxSettings.ReadWrite', 'Mail.Read', 'Mail.Send', 'Contacts.Read',
  'Calendars.Read', 'AuditLog.Read.All', 'UserAuthenticationMethod.Read.All', 'Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess',
  'Policy.ReadWrite.SecurityDefaults', 'IdentityRiskyUser.Read.All', 'AuditLogsQuery-Exchange.Read.All', 'AuditLogsQuery-OneDrive.Read.All', 'AuditLogsQuery-SharePoint.Read.All',
  'DeviceManagementManagedDevices.Read.All', 'DeviceManagementManagedDevices.PrivilegedOperations.All', 'Files.Read.All',
  'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All', 'Domain.ReadWrite.All', 'Policy.ReadWrite.AuthenticationMethod',
];

export interface ScenarioParts extends Partial<Scenario> {
  /** Users by UPN local part (domain added) or full UPN, with any scenario user fields. */
  people?: Array<string | (Omit<ScenarioUser, 'userPrincipalName'> & { userPrincipalName: string })>;
}

/**
 * A valid scenario: tenant 'Test Parish Council' (testparish.gov.uk), Business Premium, every
 * permission granted, Exchange connected, no users unless given. The tenant id is derived from the
 * name, so give each scenario in one simulator its own name (or tenantId).
 */
export function buildScenario(parts: ScenarioParts = {}): Scenario {
  const { people, ...rest } = parts;
  const name = rest.name ?? 'test';
  const domain = rest.domains?.[0]?.id ?? 'testparish.gov.uk';
  const users = [
    ...(rest.users ?? []),
    ...(people ?? []).map((p) => (typeof p === 'string' ? { userPrincipalName: p.includes('@') ? p : `${p}@${domain}` } : p)),
  ];
  const scenario: Scenario = {
    name,
    tenantId: rest.tenantId ?? stableId('scenario', name),
    organization: 'Test Parish Council',
    domains: [{ id: domain, isDefault: true }],
    skus: [BUSINESS_PREMIUM],
    grantedPermissions: [...ALL_PERMISSIONS],
    exchangeManageAsApp: true,
    ...rest,
    users,
  };
  return parseScenario(structuredClone(scenario), `(built scenario ${name})`);
}
