// councilguard simulate --scenario demo [--port N]: the tenant simulator on its own, until Ctrl+C.
import { runSimulator } from '../../jobs/demo';
import { UsageError } from '../../core/errors';

export async function simulateCommand(opts: { scenario: string; port?: string }): Promise<number> {
  let port: number | undefined;
  if (opts.port !== undefined) {
    port = Number(opts.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port ${opts.port} is not a port number; give a whole number from 1 to 65535, or leave it out for a free port`);
  }
  const sim = await runSimulator({ scenario: opts.scenario, port });
  await new Promise<void>((resolve) => {
    const stop = () => { void sim.close().then(resolve); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
