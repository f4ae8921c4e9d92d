// Every remediation, in the order a plan lists them.
import type { ActionExecutor, RemediationName, Remediation } from '../types';
import { forwarding } from './forwarding';
import { mfa } from './mfa';
import { passwords } from './passwords';
import { sharing } from './sharing';

export const ALL_REMEDIATIONS: Remediation[] = [forwarding, mfa, passwords, sharing];

export function remediation(name: RemediationName): Remediation {
  return ALL_REMEDIATIONS.find((r) => r.name === name)!;
}

export function executorFor(name: RemediationName, kind: string): ActionExecutor | undefined {
  return remediation(name)?.executors[kind];
}
