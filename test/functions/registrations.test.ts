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
      // durable-functions registers orchestrations and activities through app.generic.
      for (const kind of ['http', 'timer', 'generic'] as const) {
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
    const summary = loadRegistrations().map((r) => [
      r.kind, r.name, (r.options.trigger as { type?: string } | undefined)?.type ?? '', r.options.route ?? r.options.schedule ?? '',
      (r.options.methods as string[] | undefined)?.join(',') ?? '', r.options.authLevel ?? '', typeof r.options.handler,
    ].join(' | '));
    // kind | name | durable trigger | route or schedule | methods | auth level | handler
    expect(summary).toEqual([
      'timer | nightlyAudit |  | 0 0 1,2 * * * |  |  | function',
      'http | latestReport |  | reports/latest | GET | anonymous | function',
      'http | offboardingStart |  | offboarding | POST | anonymous | function',
      'http | offboardingStatus |  | offboarding/{id} | GET | anonymous | function',
      'http | offboardingCertificate |  | offboarding/{id}/certificate | GET | anonymous | function',
      'http | offboardingRoster |  | offboarding-roster | GET | anonymous | function',
      'http | offboardingEndedList |  | offboarding-ended | GET | anonymous | function',
      'http | offboardingEndedStart |  | offboarding-ended | POST | anonymous | function',
      'http | offboardingPage |  | clerk/{file?} | GET | anonymous | function',
      'generic | offboardingOrchestrator | orchestrationTrigger |  |  |  | function',
      'generic | offboardingStep | activityTrigger |  |  |  | function',
      'generic | offboardingFailed | activityTrigger |  |  |  | function',
      'http | planGet |  | plans/{id} | GET | anonymous | function',
      'http | planApprove |  | plans/{id}/approve | POST | anonymous | function',
      'http | planApply |  | plans/{id}/apply | POST | anonymous | function',
      'http | planPage |  | plans/{id}/page | GET | anonymous | function',
      'http | supplierPage |  | supplier | GET | anonymous | function',
      'http | supplierReports |  | reports | GET | anonymous | function',
      'http | planList |  | plans | GET | anonymous | function',
      'http | evidence |  | evidence | GET | anonymous | function',
      'timer | yearlyEvidence |  | 0 0 2 1 4 * |  |  | function',
    ]);
  });

  it('takes the schedule from AUDIT_SCHEDULE, and refuses an invalid cron with the fix', () => {
    expect(loadRegistrations({ AUDIT_SCHEDULE: '0 30 1,2 * * *' }).find((r) => r.name === 'nightlyAudit')?.options.schedule).toBe('0 30 1,2 * * *');
    expect(() => loadRegistrations({ AUDIT_SCHEDULE: '0 2 * * *' })).toThrow(/AUDIT_SCHEDULE "0 2 \* \* \*" is not a six-field NCRONTAB schedule/);
  });
});
