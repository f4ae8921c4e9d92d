// The Purview audit log query API: create a query, poll it with backoff, read its records (paged).
// Queries take minutes; one still running when the time budget ends is handed back so the next run
// resumes it instead of losing the window.
import type { GraphContext } from '..';
import type { AuditRecord, ManagedDevice } from '../../core/snapshot';

export const MAILBOX_AUDIT_OPERATIONS = [
  'MailItemsAccessed', 'SendAs', 'SendOnBehalf', 'Add-MailboxPermission', 'Set-Mailbox', 'New-InboxRule', 'Set-InboxRule',
];

/** Sharing activities ("Use sharing auditing in the audit log"): links made or changed, people added. */
export const SHARING_AUDIT_OPERATIONS = [
  'AnonymousLinkCreated', 'AnonymousLinkUpdated', 'SecureLinkCreated', 'SecureLinkUpdated', 'AddedToSecureLink',
  'SharingSet', 'SharingInvitationCreated', 'CompanyLinkCreated',
];

/** A query that stopped at its record limit still reports succeeded ("auditLogQuery resource type"). */
export interface AuditTruncation { recordCountLimit?: number; approximateReturnedRecordCount?: number }

export type AuditQueryResult =
  | { status: 'succeeded'; records: AuditRecord[]; truncated?: AuditTruncation }
  | { status: 'pending'; queryId: string }
  | { status: 'failed'; queryId: string; detail: string };

export async function startMailboxAuditQuery(graph: GraphContext, fromIso: string, toIso: string): Promise<string> {
  const body = await graph.send<{ id: string }>('POST', '/security/auditLog/queries', {
    displayName: `CouncilGuard mailbox access ${fromIso}`,
    filterStartDateTime: fromIso,
    filterEndDateTime: toIso,
    recordTypeFilters: ['exchangeItem', 'exchangeItemAggregated', 'exchangeAdmin'],
    operationFilters: MAILBOX_AUDIT_OPERATIONS,
  });
  return body.id;
}

/** Sharing records of OneDrive and SharePoint; the caller's per-service permissions decide which come back. */
export async function startSharingAuditQuery(graph: GraphContext, fromIso: string, toIso: string): Promise<string> {
  const body = await graph.send<{ id: string }>('POST', '/security/auditLog/queries', {
    displayName: `CouncilGuard sharing changes ${fromIso}`,
    filterStartDateTime: fromIso,
    filterEndDateTime: toIso,
    recordTypeFilters: ['sharePointSharingOperation'],
    operationFilters: SHARING_AUDIT_OPERATIONS,
  });
  return body.id;
}

/** Polls with exponential backoff until the query finishes or `budgetMs` is spent. */
export async function awaitAuditQuery(
  graph: GraphContext,
  queryId: string,
  budgetMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<AuditQueryResult> {
  const deadline = Date.now() + budgetMs;
  let wait = 250;
  let truncated: AuditTruncation | undefined;
  for (;;) {
    const q = await graph.get<{ status: string; isRecordCountLimitExceeded?: boolean; recordCountLimit?: number; approximateReturnedRecordCount?: number }>(
      `/security/auditLog/queries/${queryId}`, ['id', 'status', 'isRecordCountLimitExceeded', 'recordCountLimit', 'approximateReturnedRecordCount']);
    if (q.status === 'succeeded') {
      if (q.isRecordCountLimitExceeded) truncated = { recordCountLimit: q.recordCountLimit, approximateReturnedRecordCount: q.approximateReturnedRecordCount };
      break;
    }
    if (q.status === 'failed' || q.status === 'cancelled') return { status: 'failed', queryId, detail: `the audit log query ${q.status}` };
    if (Date.now() + wait > deadline) return { status: 'pending', queryId };
    await sleep(wait);
    wait = Math.min(wait * 2, 30_000);
  }
  const rows = await graph.pageAll<{
    id: string; operation: string; userPrincipalName?: string; userId?: string; clientIp?: string; createdDateTime: string; objectId?: string;
    auditData?: Record<string, unknown>;
  }>(`/security/auditLog/queries/${queryId}/records`, ['id', 'operation', 'userPrincipalName', 'userId', 'clientIp', 'createdDateTime', 'objectId', 'auditData']);
  return {
    status: 'succeeded',
    ...(truncated ? { truncated } : {}),
    records: rows.map((r) => {
      const data = r.auditData ?? {};
      const params = Array.isArray(data.Parameters) ? (data.Parameters as { Name?: string; Value?: string }[]) : [];
      return {
        id: r.id,
        operation: r.operation,
        userPrincipalName: (r.userPrincipalName ?? r.userId ?? '').toLowerCase(),
        createdDateTime: r.createdDateTime,
        clientIp: r.clientIp,
        mailboxOwnerUpn: typeof data.MailboxOwnerUPN === 'string' ? data.MailboxOwnerUPN.toLowerCase() : undefined,
        logonType: data.LogonType !== undefined ? String(data.LogonType) : undefined,
        appId: typeof data.AppId === 'string' ? data.AppId : typeof data.ClientAppId === 'string' ? data.ClientAppId : undefined,
        // Cmdlet parameters only (who got access, which forwarding address): metadata, never content.
        detail: params.length ? Object.fromEntries(params.map((p) => [p.Name ?? '', p.Value ?? ''])) : undefined,
        ...(r.objectId ?? (typeof data.ObjectId === 'string' ? data.ObjectId : undefined) ? { objectId: r.objectId ?? String(data.ObjectId) } : {}),
      };
    }),
  };
}

export async function readManagedDevices(graph: GraphContext): Promise<ManagedDevice[]> {
  const rows = await graph.pageAll<ManagedDevice>('/deviceManagement/managedDevices', ['id', 'deviceName', 'userPrincipalName', 'operatingSystem', 'isEncrypted', 'complianceState']);
  return rows.map((d) => ({ ...d, userPrincipalName: (d.userPrincipalName ?? '').toLowerCase() }));
}
