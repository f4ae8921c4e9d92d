// accounts.term-ended: a councillor whose term has ended must surrender the account and its contents to
// the clerk (the offboarding pipeline), and the account must stop working.
//
//   term-ended   a rostered councillor past termEnd (the day after termEnd, by the calendar in
//                Europe/London) whose account is still enabled or whose surrender is not 'done' → high
//   no-account   a rostered councillor with no account in the tenant → medium. After a completed
//                surrender a deleted account is expected and not reported.
// Without the surrender records (a store problem) the enabled-account test still runs; the surrender
// status part is a partial skip.
import { DateTime } from 'luxon';
import type { Check, EvaluationInput } from '../types';
import type { CheckOutcome } from '../../core/findings';
import type { SurrenderState } from '../../core/snapshot';
import { OutcomeBuilder, requireParts } from '../outcome';
import { findUserByAddress, userSubject } from '../scope';
import { LONDON, londonDay, runInstant } from '../dates';

const ID = 'accounts.term-ended' as const;
const CLAUSES = {
  'term-ended': ['accounts.surrender'],
  'no-account': ['accounts.surrender'],
};

function offboardCommand(upn: string, termEnd: string): string {
  return `councilguard offboard --config <file> --user ${upn} --term-end ${termEnd}`;
}

function evaluate({ snapshot, council, now }: EvaluationInput): CheckOutcome {
  const required = requireParts(snapshot, ['users']);
  if ('outcome' in required) return required.outcome;
  const { users } = required.data;
  const out = new OutcomeBuilder();
  const surrenders = out.optional(snapshot, 'surrenders', 'surrender-status');
  const statusOf = new Map<string, SurrenderState['status']>();
  for (const s of surrenders ?? []) if (s?.userPrincipalName) statusOf.set(s.userPrincipalName.trim().toLowerCase(), s.status);

  const today = runInstant(now).setZone(LONDON).startOf('day');
  for (const entry of council.roster ?? []) {
    const upn = (entry?.userPrincipalName ?? '').trim().toLowerCase();
    if (!upn) continue;
    const termEnd = DateTime.fromISO(entry.termEnd ?? '', { zone: LONDON });
    const ended = termEnd.isValid && today > termEnd.startOf('day');
    const status = statusOf.get(upn);
    const user = findUserByAddress(users, upn);

    if (!user) {
      if (ended && status === 'done') continue;
      out.add({
        checkId: ID,
        kind: 'no-account',
        key: upn,
        severity: 'medium',
        subject: { type: 'user', id: upn, name: upn, userPrincipalName: upn },
        clauses: CLAUSES['no-account'],
        summary: ended
          ? `${upn} is on the council roster with a term that ended on ${londonDay(termEnd)}, but no account with that name exists and no surrender was recorded: the mailbox and files may already be gone.`
          : `${upn} is on the council roster but has no account in Microsoft 365.`,
        evidence: { userPrincipalName: upn, termStart: entry.termStart ?? null, termEnd: entry.termEnd ?? null, ...(surrenders ? { surrenderStatus: status ?? 'none' } : {}) },
        remediation: ended
          ? 'Ask the IT supplier whether the account was deleted in the last 30 days (Microsoft 365 admin centre → Users → Deleted users) and restore it so its contents can be surrendered to the clerk; then correct the roster in the council config.'
          : 'Correct the spelling of the address in the roster (council config), or ask the IT supplier to create the councillor\'s account.',
      });
      continue;
    }
    if (!ended) continue;
    const enabled = user.accountEnabled !== false;
    const surrenderKnown = !!surrenders;
    const surrendered = status === 'done';
    if (!enabled && (surrendered || !surrenderKnown)) continue;

    const subject = userSubject(user);
    const problems: string[] = [];
    if (enabled) problems.push('the account can still be used');
    if (surrenderKnown && !surrendered) {
      problems.push(status === 'running' ? 'handing its mail and files to the clerk has started but not finished'
        : status === 'failed' ? 'handing its mail and files to the clerk failed'
          : 'its mail and files have not been handed to the clerk');
    }
    out.add({
      checkId: ID,
      kind: 'term-ended',
      key: upn,
      severity: 'high',
      subject,
      clauses: CLAUSES['term-ended'],
      summary: `${subject.name}'s term as councillor ended on ${londonDay(termEnd)}, but ${problems.join(' and ')}.`,
      evidence: { termEnd: entry.termEnd, accountEnabled: enabled, surrenderStatus: surrenderKnown ? status ?? 'none' : 'unknown' },
      remediation: `The clerk can start the surrender from the offboarding page (/api/offboarding), or the IT supplier can run: ${offboardCommand(user.userPrincipalName || upn, entry.termEnd)}. It archives the mailbox and files for the clerk, then blocks sign-in.`,
    });
  }
  return out.build();
}

export const accountsTermEnded: Check = {
  id: ID,
  order: 80,
  title: 'Councillors whose term has ended',
  clauses: CLAUSES,
  reads: ['users', 'surrenders'],
  evaluate,
};
