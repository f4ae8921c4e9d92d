// The Purview audit log query API: create, poll (notStarted -> running -> succeeded or failed), records.
import { randomUUID } from 'node:crypto';
import { matchesFilter, notFound, page } from '../http';
import type { Route } from '.';
import type { TenantState } from '../state';

// "Create auditLogQuery": permissions are per Microsoft 365 service; a query returns the records of the
// services its caller's permissions cover (AuditLogsQuery.Read.All covers all of them).
const SERVICE_PERMISSION: Record<string, string> = {
  Exchange: 'AuditLogsQuery-Exchange.Read.All', SharePoint: 'AuditLogsQuery-SharePoint.Read.All', OneDrive: 'AuditLogsQuery-OneDrive.Read.All',
};
const AUDIT = [...Object.values(SERVICE_PERMISSION), 'AuditLogsQuery.Read.All'];

type AuditQuery = { filterStartDateTime: string; filterEndDateTime: string; operationFilters?: string[]; recordTypeFilters?: string[]; roles: string[] };

function matchingRecords(tenant: TenantState, q: AuditQuery) {
  const covers = (service: string) => q.roles.includes('AuditLogsQuery.Read.All') || q.roles.includes(SERVICE_PERMISSION[service] ?? '');
  return tenant.auditRecords.filter((r) =>
    matchesFilter(r, `createdDateTime ge '${q.filterStartDateTime}' and createdDateTime le '${q.filterEndDateTime}'`) &&
    covers(String(r.service)) &&
    (!q.recordTypeFilters?.length || q.recordTypeFilters.includes(String(r.auditLogRecordType))) &&
    (!q.operationFilters?.length || q.operationFilters.includes(String(r.operation))));
}

export const auditRoutes: Route[] = [
  {
    method: 'POST', path: /^\/security\/auditLog\/queries$/, roles: AUDIT,
    handle: (req) => {
      const b = req.json<{ displayName?: string; filterStartDateTime: string; filterEndDateTime: string; operationFilters?: string[]; recordTypeFilters?: string[] }>();
      const q = {
        id: randomUUID(), polls: 0, status: 'notStarted', filterStartDateTime: b.filterStartDateTime, filterEndDateTime: b.filterEndDateTime,
        operationFilters: b.operationFilters, recordTypeFilters: b.recordTypeFilters, roles: req.roles,
      };
      req.tenant.auditQueries.set(q.id, q);
      return { status: 201, body: { id: q.id, displayName: b.displayName, status: q.status, filterStartDateTime: q.filterStartDateTime, filterEndDateTime: q.filterEndDateTime } };
    },
  },
  {
    method: 'GET', path: /^\/security\/auditLog\/queries\/([^/]+)$/, roles: AUDIT,
    handle: (req, m) => {
      const q = req.tenant.auditQueries.get(m[1]);
      if (!q) return notFound(m[1]);
      const behaviour = req.tenant.scenario.auditQuery ?? {};
      q.polls++;
      const until = behaviour.pollsUntilDone ?? 1;
      q.status = q.polls > until ? (behaviour.fail ? 'failed' : 'succeeded') : q.polls === 1 ? 'notStarted' : 'running';
      if (until === 0) q.status = behaviour.fail ? 'failed' : 'succeeded';
      // "auditLogQuery resource type": a query over its record-count limit still succeeds; only
      // isRecordCountLimitExceeded says the records are incomplete.
      const matched = matchingRecords(req.tenant, q).length;
      const limit = behaviour.recordCountLimit;
      const counts = q.status === 'succeeded'
        ? { approximateReturnedRecordCount: matched, isRecordCountLimitExceeded: limit !== undefined && matched > limit, ...(limit !== undefined ? { recordCountLimit: limit } : {}) }
        : { isRecordCountLimitExceeded: false };
      return { status: 200, body: { id: q.id, status: q.status, filterStartDateTime: q.filterStartDateTime, filterEndDateTime: q.filterEndDateTime, ...counts } };
    },
  },
  {
    method: 'GET', path: /^\/security\/auditLog\/queries\/([^/]+)\/records$/, roles: AUDIT,
    handle: (req, m) => {
      const q = req.tenant.auditQueries.get(m[1]);
      if (!q) return notFound(m[1]);
      const limit = req.tenant.scenario.auditQuery?.recordCountLimit;
      const records = matchingRecords(req.tenant, q);
      return page(req, limit !== undefined ? records.slice(0, limit) : records, { defaultSize: 150, maxSize: 1000 });
    },
  },
];
