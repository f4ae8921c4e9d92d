// The Exchange Online admin REST subset: POST {url}/exchange/adminapi/beta/{tenant}/InvokeCommand with
// Get-Mailbox (paged with @odata.nextLink), Get-HostedOutboundSpamFilterPolicy,
// Set-HostedOutboundSpamFilterPolicy, Set-Mailbox, Add-MailboxPermission, Get-MailboxPermission,
// Remove-DistributionGroupMember.
import { randomUUID } from 'node:crypto';
import type { SimResponse } from '../http';
import type { SimUser, TenantState } from '../state';

export interface ExchangeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Buffer;
  tenant: TenantState;
  roles: string[];
  /** The simulator's base URL. */
  url: string;
  pageSize?: number;
}

/** Exchange's REST error shape: the PowerShell error travels in message, as code|type|text. */
function exchangeError(status: number, code: string, message: string): SimResponse {
  const rid = randomUUID();
  return {
    status,
    headers: { 'request-id': rid },
    body: { error: { code, message, details: [{ code: 'Exchange', message }], innererror: { message, type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException', 'request-id': rid } } },
  };
}

const smtp = (address: string | null | undefined): string | null => (address ? (/^smtp:/i.test(address) ? address : `smtp:${address}`) : null);

function mailboxView(u: SimUser): Record<string, unknown> {
  const alias = (u.userPrincipalName ?? u.id).split('@')[0];
  return {
    Identity: u.displayName, Name: alias, DisplayName: u.displayName, Alias: alias,
    UserPrincipalName: u.userPrincipalName, PrimarySmtpAddress: u.mail ?? u.userPrincipalName, ExternalDirectoryObjectId: u.id, Guid: u.id,
    ForwardingSmtpAddress: smtp(u.forwardingSmtpAddress), ForwardingAddress: u.forwardingAddress, DeliverToMailboxAndForward: u.deliverToMailboxAndForward,
    RecipientTypeDetails: u.recipientTypeDetails,
    ArchiveStatus: u.onlineArchive ? 'Active' : 'None',
    ArchiveGuid: u.onlineArchive?.guid ?? '00000000-0000-0000-0000-000000000000',
    ArchiveName: u.onlineArchive ? [`In-Place Archive - ${u.displayName}`] : [],
  };
}

const EXCHANGE_PAGE = 1000;

interface Skip { cmdlet: string; parameters: Record<string, unknown>; offset: number }

export function handleExchange(req: ExchangeRequest): SimResponse {
  const { tenant } = req;
  const m = /^\/exchange\/adminapi\/beta\/([^/]+)\/InvokeCommand$/i.exec(req.path);
  if (!m) return exchangeError(404, 'NotFound', `No route for ${req.path}.`);
  if (decodeURIComponent(m[1]).toLowerCase() !== tenant.tenantId) return exchangeError(401, 'Unauthorized', 'The access token was issued for another tenant.');
  if (!req.roles.includes('Exchange.ManageAsApp')) return exchangeError(401, 'Unauthorized', 'The app is not authorized: its token has no Exchange.ManageAsApp role.');

  let cmdlet: string;
  let parameters: Record<string, unknown>;
  let offset = 0;
  const skiptoken = req.query.get('$skiptoken');
  if (skiptoken) {
    // A nextLink carries the whole command, so following it with GET (or POST) continues the listing.
    try {
      ({ cmdlet, parameters, offset } = JSON.parse(Buffer.from(skiptoken, 'base64url').toString('utf8')) as Skip);
    } catch {
      return exchangeError(400, 'BadRequest', 'The $skiptoken is not valid.');
    }
  } else {
    if (req.method !== 'POST') return exchangeError(405, 'MethodNotAllowed', 'InvokeCommand takes POST.');
    let input: { CmdletInput?: { CmdletName?: string; Parameters?: Record<string, unknown> } };
    try {
      input = JSON.parse(req.body.toString('utf8'));
    } catch {
      return exchangeError(400, 'BadRequest', 'The request body is not valid JSON; send {"CmdletInput":{"CmdletName":"...","Parameters":{...}}}.');
    }
    cmdlet = input.CmdletInput?.CmdletName ?? '';
    parameters = input.CmdletInput?.Parameters ?? {};
  }
  const p = parameters;
  const base = `${req.url}/exchange/adminapi/beta/${tenant.tenantId}`;
  const context = `${base}/$metadata#Collection(Exchange.GenericHashTable)`;
  const ok = (value: Record<string, unknown>[]) => ({ status: 200, body: { '@odata.context': context, 'adminapi.warnings@odata.type': '#Collection(String)', 'adminapi.warnings': [], value } });
  const notFoundObject = (identity: unknown) => exchangeError(404, 'NotFound', `|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object '${String(identity)}' couldn't be found on '${tenant.tenantId}'.`);
  const mailboxOf = (identity: unknown): SimUser | undefined => {
    const key = String(identity ?? '').toLowerCase();
    return tenant.users.find((u) => u.hasMailbox && [u.id, u.userPrincipalName, u.mail, u.userPrincipalName?.split('@')[0], u.displayName].some((x) => x?.toLowerCase() === key));
  };
  const mailboxes = tenant.users.filter((u) => u.hasMailbox && u.userType !== 'Guest');

  switch (cmdlet) {
    case 'Get-Mailbox': {
      if (p.Identity !== undefined) {
        const u = mailboxOf(p.Identity);
        return u ? ok([mailboxView(u)]) : notFoundObject(p.Identity);
      }
      const wanted = p.RecipientTypeDetails ? String(p.RecipientTypeDetails).split(',').map((s) => s.trim().toLowerCase()) : undefined;
      const list = mailboxes.filter((u) => !wanted || wanted.includes(u.recipientTypeDetails.toLowerCase())).map(mailboxView);
      const size = Math.max(1, req.pageSize ?? EXCHANGE_PAGE);
      const res = ok(list.slice(offset, offset + size));
      if (offset + size < list.length) {
        const token = Buffer.from(JSON.stringify({ cmdlet, parameters, offset: offset + size } satisfies Skip)).toString('base64url');
        (res.body as Record<string, unknown>)['@odata.nextLink'] = `${base}/InvokeCommand?$skiptoken=${token}`;
      }
      return res;
    }
    case 'Get-HostedOutboundSpamFilterPolicy':
      return ok([{ Identity: 'Default', Name: 'Default', IsDefault: true, AutoForwardingMode: tenant.autoForwardingMode }]);
    case 'Set-HostedOutboundSpamFilterPolicy': {
      const mode = p.AutoForwardingMode;
      if (mode !== undefined && !['Automatic', 'On', 'Off'].includes(String(mode))) return exchangeError(400, 'BadRequest', `Cannot bind parameter 'AutoForwardingMode'. "${String(mode)}" is not one of Automatic, On, Off.`);
      if (mode !== undefined) tenant.autoForwardingMode = String(mode);
      return ok([]);
    }
    case 'Set-Mailbox': {
      const u = mailboxOf(p.Identity);
      if (!u) return notFoundObject(p.Identity);
      if ('ForwardingSmtpAddress' in p) u.forwardingSmtpAddress = smtp(p.ForwardingSmtpAddress as string | null);
      if ('ForwardingAddress' in p) u.forwardingAddress = (p.ForwardingAddress as string | null) ?? null;
      if ('DeliverToMailboxAndForward' in p) u.deliverToMailboxAndForward = p.DeliverToMailboxAndForward === true || p.DeliverToMailboxAndForward === 'True';
      if ('Type' in p) {
        const type = String(p.Type).toLowerCase();
        if (!['shared', 'regular'].includes(type)) return exchangeError(400, 'BadRequest', `Cannot bind parameter 'Type'. "${String(p.Type)}" is not one of Regular, Shared.`);
        u.recipientTypeDetails = type === 'shared' ? 'SharedMailbox' : 'UserMailbox';
      }
      return ok([]);
    }
    case 'Add-MailboxPermission': {
      const u = mailboxOf(p.Identity);
      if (!u) return notFoundObject(p.Identity);
      const user = String(p.User ?? '');
      if (!user) return exchangeError(400, 'BadRequest', 'Add-MailboxPermission needs -User.');
      const rights = (Array.isArray(p.AccessRights) ? p.AccessRights : [p.AccessRights ?? 'FullAccess']).map(String);
      const existing = tenant.mailboxPermissions.find((x) => x.identity.toLowerCase() === (u.userPrincipalName ?? u.id).toLowerCase() && x.user.toLowerCase() === user.toLowerCase());
      if (existing) existing.accessRights = [...new Set([...existing.accessRights, ...rights])];
      else tenant.mailboxPermissions.push({ identity: u.userPrincipalName ?? u.id, user, accessRights: rights });
      return ok([{ Identity: u.displayName, User: user, AccessRights: rights, IsInherited: false, Deny: false }]);
    }
    case 'Get-MailboxPermission': {
      const u = mailboxOf(p.Identity);
      if (!u) return notFoundObject(p.Identity);
      // Every mailbox lists its owner's own access first, as Exchange does.
      const own = { Identity: u.displayName, User: 'NT AUTHORITY\\SELF', AccessRights: ['FullAccess, ReadPermission'], IsInherited: false, Deny: false };
      const granted = tenant.mailboxPermissions
        .filter((x) => x.identity.toLowerCase() === (u.userPrincipalName ?? u.id).toLowerCase())
        .map((x) => ({ Identity: u.displayName, User: x.user, AccessRights: x.accessRights, IsInherited: false, Deny: false }));
      return ok([own, ...granted]);
    }
    case 'Remove-DistributionGroupMember': {
      // Distribution groups and mail-enabled security groups (not dynamic distribution groups); a group
      // synced from on premises is changed there ("Remove-DistributionGroupMember").
      const g = tenant.groups.find((x) => x.id === String(p.Identity) || x.displayName.toLowerCase() === String(p.Identity ?? '').toLowerCase());
      if (!g || !['distribution', 'mailEnabledSecurity'].includes(g.kind)) return notFoundObject(p.Identity);
      if (g.onPremisesSyncEnabled) return exchangeError(400, 'BadRequest', `|Microsoft.Exchange.Configuration.Tasks.TaskException|The action 'Remove-DistributionGroupMember', 'Members', can't be performed on the object '${g.displayName}' because the object is being synchronized from your on-premises organization. This action should be performed on the object in your on-premises organization.`);
      const member = mailboxOf(p.Member);
      if (!member) return notFoundObject(p.Member);
      if (!g.members.includes(member.id)) return exchangeError(400, 'BadRequest', `|Microsoft.Exchange.Management.Tasks.MemberNotFoundException|The recipient "${String(p.Member)}" isn't a member of the group "${g.displayName}".`);
      g.members = g.members.filter((x) => x !== member.id);
      return ok([]);
    }
    default:
      return exchangeError(400, 'BadRequest', `The term '${cmdlet}' is not recognized as the name of a cmdlet, function, script file, or operable program available through this endpoint.`);
  }
}
