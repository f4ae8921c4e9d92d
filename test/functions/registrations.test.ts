// Loads the registration module with the Functions library in its test mode (no host) and records what
// it registers: every function, with the trigger, route, auth level and schedule intended.

type Registered = { kind: string; name: string; options: Record<string, unknown> };

function loadRegistrations(env: Record<string, string> = {}): Registered[] {
  const seen: Registered[] = [];
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    jest.isolateModules(() => {
      // The registry is fresh inside isolateModules: spy on the copy functions/index will import.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { app } = require('@azure/functions') as typeof import('@azure/functions');
      for (const kind of ['http', 'timer'] as const) {
        jest.spyOn(app, kind).mockImplementation(((name: string, options: Record<string, unknown>) => { seen.push({ kind, name, options }); }) as never);
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../../functions/index');
    });
  } finally {
    process.env = saved;
  }
  return seen;
}

describe('function registrations', () => {
  it('registers every function with its trigger, route, auth level and schedule', () => {
    const summary = loadRegistrations().map((r) => ({
      kind: r.kind, name: r.name, route: r.options.route, methods: r.options.methods, authLevel: r.options.authLevel, schedule: r.options.schedule,
      handler: typeof r.options.handler,
    }));
    expect(summary).toEqual([
      { kind: 'timer', name: 'nightlyAudit', route: undefined, methods: undefined, authLevel: undefined, schedule: '0 0 1,2 * * *', handler: 'function' },
      { kind: 'http', name: 'latestReport', route: 'reports/latest', methods: ['GET'], authLevel: 'anonymous', schedule: undefined, handler: 'function' },
    ]);
  });

  it('takes the schedule from AUDIT_SCHEDULE, and refuses an invalid cron with the fix', () => {
    expect(loadRegistrations({ AUDIT_SCHEDULE: '0 30 1,2 * * *' }).find((r) => r.name === 'nightlyAudit')?.options.schedule).toBe('0 30 1,2 * * *');
    expect(() => loadRegistrations({ AUDIT_SCHEDULE: '0 2 * * *' })).toThrow(/AUDIT_SCHEDULE "0 2 \* \* \*" is not a six-field NCRONTAB schedule/);
  });
});
