// GET /api/reports/latest?council=<name or tenant id>: the latest report.html, for the IT supplier.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { requireRole } from '../auth';
import { latestReport } from '../../jobs/reports';
import { appCouncils, type CouncilsSource } from '../app-councils';

function latestReportHandlerFor(councils: CouncilsSource) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const auth = requireRole(request, 'Reports.Read');
    if ('response' in auth) return auth.response;
    const council = request.query.get('council')?.trim();
    if (!council) return { status: 400, jsonBody: { error: 'Say which council: ?council=<council name or tenant id>.' } };
    const result = await latestReport(await councils(), council);
    context.log(`${auth.principal.name} read the latest report of ${council}: ${result.status}`);
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
