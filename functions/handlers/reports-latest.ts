// GET /api/reports/latest?council=<name or tenant id>: the latest report.html, for the IT supplier.
// Isolated by council like plans and surrenders: a caller who does not speak for the council named (or
// names one that does not exist) gets the same 404, which names no council.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { appSignIn, callerBelongsTo, requireRole, type SignInSource } from '../auth';
import { latestReport } from '../../jobs/reports';
import { appCouncils, type CouncilsSource } from '../app-councils';

export const REPORTS_ROLE = 'Reports.Read';

export function latestReportHandlerFor(councils: CouncilsSource, signIn: SignInSource = appSignIn) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const all = await councils();
    const auth = await requireRole(request, REPORTS_ROLE, { signIn, councils: all.all() });
    if ('response' in auth) return auth.response;
    const selector = request.query.get('council')?.trim();
    if (!selector) return { status: 400, jsonBody: { error: 'Say which council: ?council=<council name or tenant id>.' } };
    const result = await latestReport(all, selector, (c) => callerBelongsTo(c, auth.principal));
    context.log(`${auth.principal.userPrincipalName} asked for the latest report of ${selector}: ${result.status}`);
    if (result.status !== 'ok') return { status: 404, jsonBody: { error: result.message } };
    return {
      status: 200,
      body: result.html,
      headers: {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        'Cache-Control': 'private, no-store',
        'X-Content-Type-Options': 'nosniff',
      },
    };
  };
}

export const latestReportHandler = latestReportHandlerFor(appCouncils);
