// The checks that decide whether a surrender may start. The local ones (dates, roster, clerk, caller)
// need no tenant; the tenant ones read the account, the administrator roles, the archive library and
// the app's permissions. Every refusal says what to do instead.
import { DateTime } from 'luxon';
import { ukDayStart, ukToday } from '../core/uk-time';
import type { CouncilConfig } from '../policy/council-config';
import type { GraphContext } from '../graph';
import { GraphRequestError, isNotLicensedError } from '../graph/errors';
import { readActiveAdminRoles, readEligibleAdminRoles, readRoleNames } from '../graph/readers/directory';
import { findSiteLibrary } from '../graph/readers/files';
import { SURRENDER_STEPS, permissionsOf, unmetPermissions } from '../graph/permissions';
import { SurrenderInputError } from '../core/errors';
import { type SurrenderOptions, type SurrenderRequest, type SurrenderTarget } from './types';

export const DEFAULT_ARCHIVE_LIBRARY = 'Councillor archives';

export interface PermissionNeed {
  permission: string;
  why: string;
  optional?: boolean;
}

/**
 * The application permissions a surrender uses, step by step from graph/permissions.ts (SURRENDER_STEPS).
 * DeviceManagement and Mail.Send are optional: without them that part is skipped, and said so.
 */
export function permissionsNeeded(options: SurrenderOptions): PermissionNeed[] {
  const on = (name: string) => (options as unknown as Record<string, unknown>)[name] === true;
  return SURRENDER_STEPS.filter((step) => !step.whenAnyOption || step.whenAnyOption.some(on))
    .flatMap((step) => permissionsOf(step.endpoints).map((permission) => ({ permission, why: step.why, ...(step.optional ? { optional: true } : {}) })));
}

/**
 * The surrender's permissions the token does not cover, step by step: a higher-privileged permission
 * Graph accepts for a step's calls (Mail.ReadWrite for Mail.Read, Directory.ReadWrite.All for the user
 * writes) counts as granted.
 */
function unmetNeeds(options: SurrenderOptions, granted: ReadonlySet<string>): PermissionNeed[] {
  const on = (name: string) => (options as unknown as Record<string, unknown>)[name] === true;
  return SURRENDER_STEPS.filter((step) => !step.whenAnyOption || step.whenAnyOption.some(on))
    .flatMap((step) => unmetPermissions(step.endpoints, granted).map((permission) => ({ permission, why: step.why, ...(step.optional ? { optional: true } : {}) })));
}

/** A YYYY-MM-DD term end, or a refusal naming the format. */
export function parseTermEnd(raw: string): DateTime {
  const d = ukDayStart(raw);
  if (!d.isValid) throw new SurrenderInputError(`The term end "${raw}" is not a date; write it as YYYY-MM-DD, e.g. 2026-05-07.`);
  return d;
}

const same = (a: string | undefined | null, b: string | undefined | null) => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

/** The checks that need only the config and the request. */
export function validateLocally(council: CouncilConfig, request: SurrenderRequest, now: Date): void {
  const upn = request.userPrincipalName.trim();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(upn)) throw new SurrenderInputError(`"${upn}" is not a user principal name; give the councillor's sign-in address, e.g. cllr.name@exampleparish.gov.uk.`);
  const termEnd = parseTermEnd(request.termEnd);
  const today = ukToday(now);
  if (termEnd > today) {
    if (!request.force?.reason?.trim()) {
      throw new SurrenderInputError(`The term end ${request.termEnd} is in the future; a surrender starts after the term has ended. If the councillor has already left (resigned), confirm it and say why: on the command line --force --reason "…", in a request force.reason (the reason is recorded in the action log and the certificate).`);
    }
  }
  if (same(upn, council.clerk)) throw new SurrenderInputError(`${upn} is the clerk (${council.name}); the clerk's account is never surrendered. Check the address: the surrender is for a councillor whose term has ended.`);
  if (council.staff.some((s) => same(s, upn))) throw new SurrenderInputError(`${upn} is listed as council staff, not a councillor; staff leave through the council's HR process, not a councillor surrender.`);
  if ([...council.itSupplier.accounts, ...council.breakGlass].some((s) => same(s, upn))) {
    throw new SurrenderInputError(`${upn} is an administrator account (IT supplier or break-glass) in the council config; an administrator is never surrendered this way. Check the address.`);
  }
  if (same(upn, request.requestedBy)) throw new SurrenderInputError(`You (${request.requestedBy}) cannot surrender your own account; ask the clerk to start it.`);
  const rostered = council.roster.find((r) => same(r.userPrincipalName, upn));
  if (!rostered) {
    throw new SurrenderInputError(`${upn} is not on the roster of ${council.name}; only a rostered councillor's account is surrendered. Add them to "roster" in the council config (with termStart and termEnd), or check the address.`);
  }
  // Any past date would otherwise surrender a sitting councillor: the roster is the authority on the term.
  if (rostered.termEnd !== request.termEnd && !request.force?.reason?.trim()) {
    throw new SurrenderInputError(`The term end ${request.termEnd} is not ${upn}'s term end on the roster of ${council.name} (${rostered.termEnd}). Use the roster's date; if the councillor really left on another date (resigned, disqualified), say why: on the command line --force --reason "…", in a request force.reason (recorded in the action log and the certificate), or correct the roster in the council config.`);
  }
}

export interface TenantFacts {
  target: SurrenderTarget;
  library: { siteId: string; driveId: string; webUrl?: string; name: string };
  missing: PermissionNeed[];
  optionalMissing: PermissionNeed[];
  licenceSkus: string[];
}

/** The checks that read the tenant (all reads; nothing changes). */
export async function validateInTenant(graph: GraphContext, council: CouncilConfig, request: SurrenderRequest): Promise<TenantFacts> {
  const granted = new Set(await graph.grantedRoles());
  const needs = unmetNeeds(request.options, granted).filter((n) => n.permission !== 'Exchange.ManageAsApp');
  const missing = needs.filter((n) => !n.optional);
  const optionalMissing = needs.filter((n) => n.optional);
  if (request.options.convertToShared || request.options.grantClerkFullAccess) {
    const probe = await graph.exchange.invoke('Get-Mailbox', { Identity: request.userPrincipalName }, request.userPrincipalName).catch(() => ({ connected: true as const, value: [] }));
    if (!probe.connected) missing.push({ permission: 'Exchange.ManageAsApp', why: 'convert the mailbox to shared and give the clerk access (Exchange admin API), as the council config asks' });
  }
  if (missing.length) {
    throw new SurrenderInputError(`The CouncilGuard app lacks application permission(s) the surrender needs: ${missing.map((m) => `${m.permission} (to ${m.why})`).join(', ')}. An administrator grants them in Entra ID (infra/grant-permissions shows how), then start the surrender again.`);
  }

  let user: { id: string; userPrincipalName: string; displayName?: string; mail?: string | null; assignedLicenses?: { skuId: string }[] };
  try {
    user = await graph.get(`/users/${encodeURIComponent(request.userPrincipalName)}`, ['id', 'userPrincipalName', 'displayName', 'mail', 'assignedLicenses', 'accountEnabled']);
  } catch (err) {
    if (err instanceof GraphRequestError && err.status === 404) {
      throw new SurrenderInputError(`There is no account ${request.userPrincipalName} in ${council.name}'s tenant; check the spelling, or whether it was renamed or deleted (Microsoft 365 admin centre → Users → Deleted users).`, 'not-found');
    }
    throw err;
  }
  if (same(user.userPrincipalName, request.requestedBy) || same(user.mail, request.requestedBy)) {
    throw new SurrenderInputError(`You (${request.requestedBy}) cannot surrender your own account; ask the clerk to start it.`);
  }
  if (same(user.mail, council.clerk)) throw new SurrenderInputError(`${request.userPrincipalName} is the clerk's mailbox; the clerk's account is never surrendered.`);

  // Roles held directly or through a group, and (with PIM, P2) roles the councillor may activate.
  const held = (await readActiveAdminRoles(graph, new Set([user.id]))).get(user.id) ?? [];
  const eligible = await readEligibleAdminRoles(graph, new Set([user.id])).then((m) => m.get(user.id) ?? [], (err: unknown) => {
    // Without P2 there is no eligibility to hold; without its permission the step is optional (said above).
    if (isNotLicensedError(err) || (err instanceof GraphRequestError && err.status === 403)) return [] as string[];
    throw err;
  });
  if (held.length || eligible.length) {
    const names = await readRoleNames(graph);
    const named = (ids: string[]) => ids.map((id) => names.get(id) ?? id).join(', ');
    const what = [held.length ? `holds the administrator role(s) ${named(held)}` : '', eligible.length ? `is eligible (PIM) for ${named(eligible)}` : ''].filter(Boolean).join(' and ');
    throw new SurrenderInputError(`${request.userPrincipalName} ${what}; remove the role(s) first (Entra ID → Roles and administrators), including any group that carries the role and any eligible (PIM) assignment, so the surrender cannot lock the council out, then start it again.`);
  }

  const libraryName = council.sharePoint.archiveLibrary ?? DEFAULT_ARCHIVE_LIBRARY;
  let library: Awaited<ReturnType<typeof findSiteLibrary>>;
  try {
    library = await findSiteLibrary(graph, council.sharePoint, libraryName);
  } catch (err) {
    if (err instanceof GraphRequestError && err.status === 404) {
      throw new SurrenderInputError(`The council's SharePoint site (${council.sharePoint.siteUrl ?? council.sharePoint.siteId}) was not found; correct sharePoint.siteUrl or siteId in the council config.`);
    }
    throw err;
  }
  if (!library) {
    throw new SurrenderInputError(`The archive library "${libraryName}" does not exist on the council's SharePoint site; create a document library with that name (Site contents → New → Document library), or name an existing one in sharePoint.archiveLibrary in the council config.`);
  }
  return {
    target: { id: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName ?? user.userPrincipalName, mail: user.mail ?? null },
    library: { ...library, name: libraryName },
    missing,
    optionalMissing,
    licenceSkus: (user.assignedLicenses ?? []).map((l) => l.skuId),
  };
}
