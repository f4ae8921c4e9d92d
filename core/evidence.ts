// The year's evidence for the AGAR's Assertion 10 (digital and data compliance): the compact record each
// nightly run keeps (RunRecord, kept at least 400 days, apart from the full reports' retention) and the
// pack built from a financial year of them (EvidencePack). jobs/ builds both; store/ keeps the records
// as bytes; reports/ renders the pack. schemas/evidence.schema.json validates evidence.json.
import type { CheckStatus, Severity, SkipReason } from './findings';

export interface RecordFinding {
  id: string;
  checkId: string;
  kind: string;
  severity: Severity;
  subject: string;
  firstSeen: string;
  /** External addresses a forwarding finding sends council mail to (nothing else is kept). */
  recipients?: string[];
}

export interface RoleCoverage {
  inScope: number;
  registered: number;
  enforced: number;
  /** Registered and required: the people MFA actually protects. */
  covered: number;
}

/** One night, compactly: metadata only, never content. Immutable once written. */
export interface RunRecord {
  recordVersion: 1;
  tenantId: string;
  council: string;
  runId: string;
  /** UTC ISO instant of the run. */
  generatedAt: string;
  /** The UK calendar day (YYYY-MM-DD) the run audited. */
  night: string;
  tool: string;
  policy: { id: string; version: string };
  checks: { id: string; status: CheckStatus; skip?: SkipReason['code']; clauses: string[] }[];
  findings: RecordFinding[];
  resolved: { id: string; checkId: string; subject: string; resolvedAt: string }[];
  mfa?: { councillors?: RoleCoverage; staff?: RoleCoverage; admins?: RoleCoverage };
  domains?: { id: string; verified: boolean; isDefault: boolean }[];
  /** Each councillor on the roster: whether an account with that address exists and can sign in. */
  councillorAccounts?: { upn: string; present: boolean; enabled: boolean }[];
  clerkMailbox?: { address: string; present: boolean; enabled: boolean };
  /** Intune-managed devices; undefined when Intune was not licensed or not read. */
  devices?: { total: number; encrypted: number };
  intuneLicensed?: boolean;
  surrenders: { upn: string; status: string }[];
  /** The action log since the previous night: counts by action, content reads by who caused them, surrender milestones. */
  actions: {
    since: string;
    byAction: Record<string, number>;
    contentReads: { bySurrender: number; other: number };
    milestones: { upn: string; step: 'verify' | 'hand-over'; result: string; at: string }[];
  };
}

export type SuggestedAnswer = 'Yes' | 'No' | 'Cannot tell from the tenant' | 'For the council to evidence';

export interface EvidenceTable {
  id: string;
  caption: string;
  columns: string[];
  rows: (string | number)[][];
  /** What the table says when it has no rows. */
  empty: string;
}

export interface EvidenceSection {
  id: 'email-domain' | 'it-policy' | 'data-protection' | 'not-visible';
  /** The Assertion 10 component, in the Practitioners' Guide's terms. */
  component: string;
  answer: SuggestedAnswer;
  reasons: string[];
  /** The section's figures by name, for readers and tests (null: not measurable from the records). */
  figures: Record<string, number | string | null>;
  tables: EvidenceTable[];
}

export interface EvidencePack {
  packVersion: 1;
  tool: { name: string; version: string };
  council: string;
  tenantId: string;
  /** The financial year, e.g. "2026-27": 1 April to 31 March, UK time. */
  year: string;
  period: { start: string; end: string; lastNight: string };
  generatedAt: string;
  coverage: { nightsInPeriod: number; nightsAudited: number; missedNights: string[] };
  profiles: { id: string; version: string; firstNight: string; lastNight: string; nights: number }[];
  sections: EvidenceSection[];
  records: { name: string; night: string; sha256: string }[];
  /** SHA-256 over the records' lines ("<sha256>  <name>\n", in name order): the records this pack rests on. */
  recordsDigest: string;
}

/** The financial year "YYYY-YY" as its UK start year, or undefined when written any other way. */
export function financialYearStart(year: string): number | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(year.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  return (start + 1) % 100 === Number(m[2]) ? start : undefined;
}
