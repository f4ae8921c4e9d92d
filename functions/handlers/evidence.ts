// GET /api/evidence?council=<name or tenant id>&year=2026-27[&format=html|csv|json]: the year's Assertion 10
// pack for the clerk or the IT supplier (app role Reports.Read, and only for a council the caller belongs to).
// The 1 April timer builds last year's pack for every council and delivers it like the reports.
import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import { CouncilNotFoundError, isInputError, messageOf } from '../../core/errors';
import { evidenceCouncil, evidenceForRequest, yearlyEvidence } from '../../jobs/evidence';
import { appSignIn, callerBelongsTo, requireRole, type SignInSource } from '../auth';
import { appCouncils, logTo, type CouncilsSource } from '../app-councils';

const TYPES = { html: 'text/html; charset=utf-8', csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8' } as const;

export function evidenceHandlerFor(councils: CouncilsSource, signIn: SignInSource = appSignIn) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const all = await councils();
    const auth = await requireRole(request, 'Reports.Read', { signIn, councils: all.all() });
    if ('response' in auth) return auth.response;
    const selector = request.query.get('council')?.trim();
    const year = request.query.get('year')?.trim();
    const format = (request.query.get('format')?.trim() || 'html') as keyof typeof TYPES;
    if (!selector) return { status: 400, jsonBody: { error: 'Say which council: ?council=<council name or tenant id>.' } };
    if (!year) return { status: 400, jsonBody: { error: 'Say which financial year: &year=YYYY-YY, e.g. 2026-27.' } };
    if (!(format in TYPES)) return { status: 400, jsonBody: { error: 'format must be html, csv or json.' } };
    try {
      const council = evidenceCouncil(all, selector);
      // Another council's evidence is answered as if it did not exist.
      if (!callerBelongsTo(council, auth.principal)) return { status: 404, jsonBody: { error: `No council "${selector}" for your account.` } };
      const result = await evidenceForRequest(all, council, year);
      context.log(`${auth.principal.userPrincipalName} read the ${year} evidence of ${council.name}: ${result.pack.coverage.nightsAudited} nights`);
      return {
        status: result.empty ? 404 : 200,
        body: result.files[`evidence.${format}`],
        headers: {
          'Content-Type': TYPES[format],
          'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
          'Cache-Control': 'private, no-store',
          'X-Content-Type-Options': 'nosniff',
        },
      };
    } catch (err) {
      // An unknown council is answered like another council's: the config's list of councils is not the caller's to read.
      if (err instanceof CouncilNotFoundError) return { status: 404, jsonBody: { error: `No council "${selector}" for your account.` } };
      if (isInputError(err)) return { status: 400, jsonBody: { error: messageOf(err) } };
      throw err;
    }
  };
}

export const evidenceHandler = evidenceHandlerFor(appCouncils);

export async function yearlyEvidenceHandler(_timer: Timer, context: InvocationContext, now = new Date().toISOString()): Promise<void> {
  const summary = await yearlyEvidence({ env: process.env, log: logTo(context), clock: () => new Date(now) });
  context.log(summary.message);
  if (summary.errored) throw new Error(summary.message); // surfaces the failure in Application Insights
}
