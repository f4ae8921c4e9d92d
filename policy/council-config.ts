// The council config contract (docs/ARCHITECTURE.md, "Contracts"). IT suppliers' own tooling writes these files,
// so the keys are stable; config-schema.json validates them and loadCouncilFile() reports bad input.
export interface RosterEntry {
  userPrincipalName: string;
  termStart: string;
  termEnd: string;
}

export interface SharePointConfig {
  siteId?: string;
  siteUrl?: string;
  library: string;
  archiveLibrary?: string;
  reportsLibrary?: string;
}

/** Remediations the council opted in to (all off by default) and the surrender's options. */
export interface EnforceConfig {
  forwarding?: boolean;
  mfa?: boolean;
  /** 'automatic': security defaults without Entra ID P1, Conditional Access with it; 'per-user': per-user MFA. */
  mfaMechanism?: 'automatic' | 'per-user';
  passwords?: boolean;
  sharing?: boolean;
  /** How long an unapplied plan stays valid. */
  planValidityHours?: number;
  /** Surrender defaults; offboarding/options.ts validates them. */
  offboarding?: Record<string, unknown>;
}

export interface CouncilConfig {
  name: string;
  tenantId: string;
  profile: string;
  domains: string[];
  councillorGroup: string;
  clerk: string;
  staff: string[];
  /** tenantId: the supplier's own tenant, from which its listed accounts may sign in to the function app. */
  itSupplier: { accounts: string[]; appIds: string[]; tenantId?: string };
  breakGlass: string[];
  allowedForwardingDomains: string[];
  sharePoint: SharePointConfig;
  oneDriveGraceDays: number;
  allowedSignInCountries: string[];
  auditWindowHours: number;
  roster: RosterEntry[];
  checks: { disabled: string[]; clauses?: Record<string, string> };
  enforce: EnforceConfig;
  delivery: Record<string, unknown>;
  /** Report people's names in summaries (summary.md / email) only when true. */
  namesInSummary?: boolean;
  /** The council's record of adopting its IT policy (dates YYYY-MM-DD); the evidence pack shows it as declared. */
  policy?: PolicyAdoption;
  /** References for what the tenant cannot show; the evidence pack shows them as declared, not verified. */
  declarations?: Declarations;
}

export interface PolicyAdoption {
  adopted?: string;
  reviewed?: string;
  /** The minute reference of the meeting that adopted it, e.g. "FC 23/045". */
  adoptionMinute?: string;
}

export interface Declarations {
  accessibilityStatementUrl?: string;
  publicationSchemeUrl?: string;
  /** The ICO data protection register number, e.g. ZA123456. */
  icoRegistration?: string;
  trainingRecord?: string;
  breachLog?: string;
}

/** delivery.teams: the Power Automate Workflows webhook the night's card is posted to. */
export interface TeamsDeliveryConfig {
  webhookUrl: string;
  /** Hosts allowed besides the Workflows defaults (policy/load.ts DEFAULT_WEBHOOK_HOSTS). */
  allowedHosts?: string[];
}

export interface CouncilConfigFile {
  councils: CouncilConfig[];
}
