// The Purview audit log query API: create, poll (notStarted -> running -> succeeded or failed), records.
import { randomUUID } from 'node:crypto';
import { matchesFilter, notFound, page } from '../http';
import type { Route } from '.';

const AUDIT = ['AuditLogsQuery-Exchange.Read.All', 'AuditLogsQuery.Read.All'];

export const auditRoutes: Route[] = [
  {
    method: 'POST', path: /^\/security\/auditLog\/queries$/, roles: AUDIT,
    handle: (req) => {
      const b = req.json<{ displayName?: string; filterStartDateTime: string; filterEndDateTime: string; operationFilters?: string[] }>();
      const q = { id: randomUUID(), polls: 0, status: 'notStarted', filterStartDateTime: b.filterStartDateTime, filterEndDateTime: b.filterEndDateTime, operationFilters: b.operationFilters };
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
      return { status: 200, body: { id: q.id, status: q.status, filterStartDateTime: q.filterStartDateTime, filterEndDateTime: q.filterEndDateTime } };
    },
  },
  {
    method: 'GET', path: /^\/security\/auditLog\/queries\/([^/]+)\/records$/, roles: AUDIT,
    handle: (req, m) => {
      const q = req.tenant.auditQueries.get(m[1]);
      if (!q) return notFound(m[1]);
      const records = req.tenant.auditRecords.filter((r) =>
        matchesFilter(r, `createdDateTime ge '${q.filterStartDateTime}' and createdDateTime le '${q.filterEndDateTime}'`) &&
        (!q.operationFilters?.length || q.operationFilters.includes(String(r.operation))));
      return page(req, records, { defaultSize: 150, maxSize: 1000 });
    },
  },
];
