// TenantSnapshot: everything the checks read, as plain JSON. collect fills only the parts the enabled
// checks declare. A part that could not be read says why, so a check can skip (not fail) on it.
import type { SkipReason } from './findings';

export type SnapshotPart =
  | 'users'
  | 'councillorGroup'
  | 'domains'
  | 'inboxRules'
  | 'mailboxForwarding'
  | 'orgForwardingPolicy'
  | 'mfaRegistration'
  | 'perUserMfa'
  | 'conditionalAccess'
  | 'securityDefaults'
  | 'riskyUsers'
  | 'oneDrives'
  | 'councilLibrary'
  | 'sharingPermissions'
  | 'mailboxAudit'
  | 'sharingAudit'
  | 'signIns'
  | 'devices'
  | 'surrenders'
  | 'adminEligibility';

/** A part is either read, or unavailable with the reason (licence, permission, connection) or an error. */
export type Part<T> =
  | { status: 'ok'; data: T }
  | { status: 'unavailable'; reason: SkipReason }
  | { status: 'error'; error: string };

export interface SnapshotUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail?: string | null;
  accountEnabled: boolean;
  userType: 'Member' | 'Guest' | string;
  passwordPolicies?: string | null;
  lastPasswordChangeDateTime?: string | null;
  assignedLicenses: { skuId: string }[];
  /** Directory role ids the user holds, directly or through a group (admins are in scope and 'high' for MFA). */
  adminRoles: string[];
  /** Role ids the user may activate through PIM (from `adminEligibility`; see checks/scope.ts withEligibleAdmins). */
  eligibleAdminRoles?: string[];
}

export interface SnapshotDomain {
  id: string;
  isVerified: boolean;
  isDefault: boolean;
  passwordValidityPeriodInDays?: number | null;
}

export interface Recipient {
  emailAddress?: { name?: string | null; address?: string | null } | null;
}

export interface SnapshotMessageRule {
  id: string;
  displayName?: string | null;
  isEnabled?: boolean | null;
  hasError?: boolean | null;
  actions?: {
    forwardTo?: Recipient[] | null;
    forwardAsAttachmentTo?: Recipient[] | null;
    /** Graph documents an array; older pages show a single object. Both are accepted. */
    redirectTo?: Recipient[] | Recipient | null;
  } | null;
}

export interface MailboxForwarding {
  userPrincipalName: string;
  forwardingSmtpAddress?: string | null;
  forwardingAddress?: string | null;
  deliverToMailboxAndForward?: boolean | null;
}

export interface MfaRegistration {
  userId: string;
  isMfaRegistered: boolean;
  methodsRegistered: string[];
  /** 'report' = userRegistrationDetails (P1); 'methods' = per-user authentication/methods fallback. */
  source: 'report' | 'methods';
}

export interface ConditionalAccessPolicy {
  id: string;
  displayName: string;
  state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced' | string;
  conditions?: {
    users?: {
      includeUsers?: string[];
      excludeUsers?: string[];
      includeGroups?: string[];
      excludeGroups?: string[];
      includeRoles?: string[];
      excludeRoles?: string[];
      includeGuestsOrExternalUsers?: unknown;
      excludeGuestsOrExternalUsers?: unknown;
    } | null;
    applications?: { includeApplications?: string[]; excludeApplications?: string[]; includeUserActions?: string[]; includeAuthenticationContextClassRefs?: string[] } | null;
    clientAppTypes?: string[] | null;
    userRiskLevels?: string[] | null;
    signInRiskLevels?: string[] | null;
    locations?: { includeLocations?: string[]; excludeLocations?: string[] } | null;
    platforms?: { includePlatforms?: string[]; excludePlatforms?: string[] } | null;
    devices?: { deviceFilter?: { mode?: string; rule?: string } | null } | null;
  } | null;
  grantControls?: {
    operator?: string;
    builtInControls?: string[];
    /** The strength's allowed combinations decide whether it demands a second factor. */
    authenticationStrength?: { id?: string; displayName?: string; allowedCombinations?: string[] } | null;
  } | null;
}

export interface RiskyUser {
  id: string;
  userPrincipalName?: string | null;
  riskState: string;
  riskDetail: string;
  riskLevel: string;
}

/**
 * One OneDrive or library item as the checks read it. A large tenant's drives hold hundreds of thousands
 * of these at once (collect's peak memory), so only what a check reads is kept, and compactly: the name is
 * the path's last segment, and the two dates are folded into one number.
 */
export interface DriveItemSummary {
  id: string;
  /** Path below the drive root, e.g. '/Planning/minutes.docx'; it ends in the item's name. */
  path: string;
  size: number;
  /**
   * When the item last changed, in ms since the epoch: Graph's lastModifiedDateTime, or its createdDateTime
   * when that is missing or not a real date; undefined when neither is.
   */
  lastChangedMs: number | undefined;
  isFolder: boolean;
  shared: boolean;
}

export interface DriveSnapshot {
  driveId: string;
  ownerUserId?: string;
  webUrl?: string;
  items: DriveItemSummary[];
}

export interface SharingPermission {
  driveId: string;
  itemId: string;
  permissionId: string;
  roles: string[];
  linkScope?: 'anonymous' | 'organization' | 'users' | string;
  grantedTo: { displayName?: string; email?: string; userType?: string }[];
  inherited: boolean;
}

export interface AuditRecord {
  id: string;
  operation: string;
  userPrincipalName: string;
  createdDateTime: string;
  clientIp?: string;
  mailboxOwnerUpn?: string;
  logonType?: string;
  appId?: string;
  detail?: Record<string, unknown>;
  /** SharePoint/OneDrive records: the URL of the file or folder acted on. */
  objectId?: string;
}

export interface SignInRecord {
  id: string;
  userPrincipalName: string;
  createdDateTime: string;
  appDisplayName?: string;
  clientAppUsed?: string;
  countryOrRegion?: string;
  errorCode?: number;
}

export interface ManagedDevice {
  id: string;
  deviceName: string;
  userPrincipalName: string;
  operatingSystem?: string;
  isEncrypted: boolean;
  complianceState: string;
}

export interface SurrenderState {
  userPrincipalName: string;
  status: 'none' | 'running' | 'done' | 'failed';
}

export interface TenantSnapshot {
  tenantId: string;
  collectedAt: string;
  /** Service-plan derived licence facts (graph/licences). */
  licences: { entraP1: boolean; entraP2: boolean; intune: boolean; exchange: boolean; skus: string[] };
  /** Application permissions in the access token's roles claim. */
  grantedPermissions: string[];
  exchangeConnected: boolean;
  users?: Part<SnapshotUser[]>;
  councillorGroup?: Part<{ id: string; displayName: string; memberIds: string[] }>;
  /**
   * Group id -> the user ids in it, nested groups included (transitiveMembers), for the groups the
   * Conditional Access policies name. A group missing here could not be read.
   */
  groupMembers?: Record<string, string[]>;
  domains?: Part<SnapshotDomain[]>;
  inboxRules?: Part<Record<string, SnapshotMessageRule[]>>;
  mailboxForwarding?: Part<MailboxForwarding[]>;
  orgForwardingPolicy?: Part<{ autoForwardingMode: string }>;
  mfaRegistration?: Part<Record<string, MfaRegistration>>;
  perUserMfa?: Part<Record<string, 'disabled' | 'enabled' | 'enforced' | string>>;
  conditionalAccess?: Part<ConditionalAccessPolicy[]>;
  securityDefaults?: Part<{ isEnabled: boolean }>;
  riskyUsers?: Part<RiskyUser[]>;
  oneDrives?: Part<Record<string, DriveSnapshot | null>>;
  councilLibrary?: Part<DriveSnapshot | null>;
  sharingPermissions?: Part<SharingPermission[]>;
  /** `truncated`: the Purview query stopped at its record limit, so `records` are only part of the window. */
  /** user id -> role ids the user may activate through PIM (P2); these people are administrators too. */
  adminEligibility?: Part<Record<string, string[]>>;
  /**
   * Purview's SharePoint/OneDrive sharing records since the last night: the URLs of items whose sharing
   * changed (delta does not list a sharing change on an unchanged file), and the services whose records
   * the granted permissions do not cover.
   */
  sharingAudit?: Part<{
    changedItemUrls: string[];
    uncoveredServices: ('OneDrive' | 'SharePoint')[];
    pendingQueryId?: string;
    /**
     * The records hold every sharing change since the last night (no query still running or cut short,
     * not the first window). Only then are an unchanged item's stored permissions trusted (jobs/collect.ts).
     */
    complete?: boolean;
    /** A query stopped at its record limit: some sharing changes since the last night are not in the records. */
    truncated?: boolean;
  }>;
  mailboxAudit?: Part<{ records: AuditRecord[]; pendingQueryId?: string; truncated?: { recordCountLimit?: number; approximateReturnedRecordCount?: number } }>;
  signIns?: Part<SignInRecord[]>;
  devices?: Part<ManagedDevice[]>;
  surrenders?: Part<SurrenderState[]>;
}
