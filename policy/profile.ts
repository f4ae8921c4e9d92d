// A policy profile: one council policy turned into a clause catalogue and the settings it implies.
export interface Clause {
  /** The policy's own number, e.g. '19' or '4.1.4'. */
  number: string;
  /** One line, in our words. */
  summary: string;
}

export interface PolicyProfile {
  id: string;
  version: string;
  title: string;
  /** Clause key -> the policy's clause. Keys are shared across profiles (checks cite keys). */
  clauses: Record<string, Clause>;
  passwords: {
    /** 'ncsc': change only on suspected compromise, never expire. 'regular': change every maxAgeDays. */
    rule: 'ncsc' | 'regular';
    maxAgeDays?: number;
    explanation: string;
  };
  mfaRequired: boolean;
  devicesMustBeEncrypted: boolean;
  filesMustBeInSharePoint: boolean;
  externalForwardingAllowed: boolean;
}
