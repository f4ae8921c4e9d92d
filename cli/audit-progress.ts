// Progress of an audit of several councils, on stderr: on a terminal one line that updates in place;
// otherwise (a pipeline's log) a plain line as each council finishes, so a long run shows it is alive.
// Written by hand, like the surrender's bar (cli/commands/offboard.ts): no progress package is a dependency.
import type { CouncilAuditOutcome } from '../jobs/audit';

export function auditProgress(out: NodeJS.WritableStream & { isTTY?: boolean }, started = Date.now()): { onCouncilDone: (o: CouncilAuditOutcome, done: number, total: number) => void; end: () => void } {
  let drawn = false;
  return {
    onCouncilDone: (o, done, total) => {
      if (total < 2) return; // one council: its own lines say enough
      const result = o.failure ? 'could not be audited' : o.result?.errored ? 'audited, a check errored' : 'audited';
      const seconds = Math.round((Date.now() - started) / 1000);
      const line = `Progress: ${done}/${total} councils finished (${o.council.name}: ${result}; ${seconds}s so far)`;
      if (out.isTTY) {
        out.write(`\r${line}\x1b[K`);
        drawn = true;
        if (done === total) { out.write('\n'); drawn = false; }
      } else {
        out.write(`${line}\n`);
      }
    },
    end: () => { if (drawn) out.write('\n'); drawn = false; },
  };
}
