// Request/reply over Node's IPC channel between the bench runner and its child processes (the
// simulator, the measured workload). Hand-written: a dozen lines, no library does just this.
import { fork, type ChildProcess } from 'node:child_process';
import { getHeapStatistics } from 'node:v8';

interface RpcRequest { id: number; cmd: string; args?: unknown }
interface RpcReply { id: number; ok: boolean; result?: unknown; error?: string }

/** A child process running `serve()`, called by command name. */
export class ChildRpc {
  readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly exited: Promise<number | null>;

  /** `launch` starts the child another way than `node execArgv script` (in a memory cgroup: memory-cgroup.ts). */
  constructor(script: string, execArgv: string[] = [], launch?: { execPath: string; execArgv: (nodeArgs: string[]) => string[] }) {
    this.child = fork(script, [], {
      ...(launch ? { execPath: launch.execPath, execArgv: launch.execArgv(execArgv) } : { execArgv }),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: RpcReply) => {
      const waiter = this.pending.get(m.id);
      if (!waiter) return;
      this.pending.delete(m.id);
      if (m.ok) waiter.resolve(m.result);
      else waiter.reject(new Error(m.error));
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => {
      for (const w of this.pending.values()) w.reject(new Error(`${script} exited (code ${code}) before answering`));
      this.pending.clear();
      resolve(code);
    }));
  }

  call<T>(cmd: string, args?: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, args } satisfies RpcRequest);
    });
  }

  /** Closes the channel (the child exits on disconnect) and waits for the exit. */
  async close(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    await this.exited;
  }
}

/** In a child: answer the runner's calls with these handlers; exit when the runner disconnects. */
export function serve(handlers: Record<string, (args: never) => Promise<unknown>>): void {
  process.on('message', (m: RpcRequest) => {
    const handler = handlers[m.cmd];
    const reply = (r: Omit<RpcReply, 'id'>) => process.send!({ id: m.id, ...r });
    if (!handler) return reply({ ok: false, error: `unknown command ${m.cmd}` });
    handler(m.args as never).then(
      (result) => reply({ ok: true, result }),
      (err: unknown) => reply({ ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

export interface ProcessUsage {
  /** Peak resident set size of this process over its life, MB. */
  maxRssMb: number;
  cpuUserS: number;
  cpuSystemS: number;
  /** The heap Node gave this process (v8 heap_size_limit): sized from the memory it may use, when no flag sets it. */
  heapLimitMb?: number;
}

export function processUsage(): ProcessUsage {
  const u = process.resourceUsage();
  return {
    maxRssMb: Math.round(u.maxRSS / 1024), cpuUserS: round(u.userCPUTime / 1e6, 1), cpuSystemS: round(u.systemCPUTime / 1e6, 1),
    heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 1048576),
  };
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
