// The Exchange Online admin REST subset: InvokeCommand for Get-Mailbox, Get-HostedOutboundSpamFilterPolicy,
// Set-Mailbox, Add-MailboxPermission, Get-MailboxPermission.
import type { SimResponse } from '../http';
import { findUser, type TenantState } from '../state';

function exchangeError(status: number, message: string): SimResponse {
  return { status, body: { error: { code: 'BadRequest', message, details: [{ code: 'Exchange', message }] } } };
}

export async function handleExchange(path: string, body: Buffer, tenant: TenantState, roles: string[], url: string): Promise<SimResponse> {
  const m = /^\/exchange\/adminapi\/beta\/([^/]+)\/InvokeCommand$/.exec(path);
  if (!m) return exchangeError(404, `No route for ${path}`);
  if (m[1].toLowerCase() !== tenant.tenantId) return exchangeError(401, 'The token is for another tenant.');
  if (!roles.includes('Exchange.ManageAsApp')) return { status: 401, body: { error: { code: 'Unauthorized', message: 'The app lacks Exchange.ManageAsApp.' } } };
  let input: { CmdletInput?: { CmdletName?: string; Parameters?: Record<string, unknown> } };
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch {
    return exchangeError(400, 'The request body is not valid JSON.');
  }
  const name = input.CmdletInput?.CmdletName ?? '';
  const p = input.CmdletInput?.Parameters ?? {};
  const context = `${url}/exchange/adminapi/beta/${tenant.tenantId}/$metadata#Collection(Exchange.GenericHashTable)`;
  const mailboxes = tenant.users.filter((u) => u.hasMailbox && u.userType !== 'Guest');
  switch (name) {
    case 'Get-Mailbox': {
      const list = p.Identity ? mailboxes.filter((u) => u.userPrincipalName.toLowerCase() === String(p.Identity).toLowerCase()) : mailboxes;
      return { status: 200, body: { '@odata.context': context, value: list.map((u) => ({
        UserPrincipalName: u.userPrincipalName, PrimarySmtpAddress: u.mail ?? u.userPrincipalName, ExternalDirectoryObjectId: u.id,
        ForwardingSmtpAddress: u.forwardingSmtpAddress, ForwardingAddress: u.forwardingAddress, DeliverToMailboxAndForward: u.deliverToMailboxAndForward,
        RecipientTypeDetails: 'UserMailbox',
      })) } };
    }
    case 'Get-HostedOutboundSpamFilterPolicy':
      return { status: 200, body: { '@odata.context': context, value: [{ Identity: 'Default', IsDefault: true, AutoForwardingMode: tenant.autoForwardingMode }] } };
    case 'Set-HostedOutboundSpamFilterPolicy':
      if (typeof p.AutoForwardingMode === 'string') tenant.autoForwardingMode = p.AutoForwardingMode;
      return { status: 200, body: { '@odata.context': context, value: [] } };
    case 'Set-Mailbox': {
      const u = findUser(tenant, String(p.Identity ?? ''));
      if (!u) return exchangeError(404, `The operation couldn't be performed because object '${p.Identity}' couldn't be found.`);
      if ('ForwardingSmtpAddress' in p) u.forwardingSmtpAddress = (p.ForwardingSmtpAddress as string | null) ?? null;
      if ('ForwardingAddress' in p) u.forwardingAddress = (p.ForwardingAddress as string | null) ?? null;
      return { status: 200, body: { '@odata.context': context, value: [] } };
    }
    case 'Add-MailboxPermission':
      tenant.mailboxPermissions.push({ identity: String(p.Identity), user: String(p.User), accessRights: [String(p.AccessRights ?? 'FullAccess')] });
      return { status: 200, body: { '@odata.context': context, value: [] } };
    case 'Get-MailboxPermission':
      return { status: 200, body: { '@odata.context': context, value: tenant.mailboxPermissions.filter((x) => x.identity.toLowerCase() === String(p.Identity).toLowerCase()).map((x) => ({ Identity: x.identity, User: x.user, AccessRights: x.accessRights })) } };
    default:
      return exchangeError(400, `The term '${name}' is not recognized as a cmdlet available through this endpoint.`);
  }
}
