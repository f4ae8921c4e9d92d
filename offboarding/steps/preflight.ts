// preflight: is this a rostered councillor (not the clerk, not an administrator, not the caller), does
// the archive library exist (and take writes: the run creates the councillor's archive folder in it),
// are the permissions granted; and how much is there to copy, with an estimate of how long it takes.
import { ArchiveWriter, type DriveItem } from '../archive';
import { loadStepData, saveStepData } from '../state';
import { walkMailFolders, type MailFolderEntry } from '../mail-folders';
import { archiveFolderName } from '../names';
import { readDriveTree } from './export-files';
import { validateInTenant, validateLocally, type TenantFacts } from '../validate';
import { StepFailure, type Step, type StepContext, type StepOutcome, type StepPlan, type SurrenderTarget } from '../types';
import { SurrenderInputError } from '../../core/errors';

/** Assumed for the estimate only: Graph does not report message sizes in v1.0. */
const AVERAGE_MESSAGE_BYTES = 75 * 1024;
const SECONDS_PER_ITEM = 0.25 / 4; // four at a time
const BYTES_PER_SECOND = 8 * 1024 * 1024;

interface Survey {
  facts: TenantFacts;
  mailFolders: MailFolderEntry[];
  contacts: number;
  events: number;
  files: { count: number; bytes: number };
}

async function survey(ctx: StepContext): Promise<Survey> {
  validateLocally(ctx.council, ctx.record.request, ctx.clock());
  const facts = await validateInTenant(ctx.graph, ctx.council, ctx.record.request);
  // Known now, so the mailbox requests below count against this mailbox's limit under its id.
  ctx.record.target = facts.target;
  const userId = facts.target.id;
  const mailFolders = await walkMailFolders(ctx, userId);
  const contacts = (await ctx.mailbox(() => ctx.graph.pageAll(`/users/${userId}/contacts`, ['id'], { top: 500 }))).length;
  const events = (await ctx.mailbox(() => ctx.graph.pageAll(`/users/${userId}/events`, ['id'], { top: 500 }))).length;
  const tree = await readDriveTree(ctx, userId);
  const fileItems = (tree?.items ?? []).filter((i) => i.file);
  return { facts, mailFolders, contacts, events, files: { count: fileItems.length, bytes: fileItems.reduce((n, i) => n + (i.size ?? 0), 0) } };
}

/** A rough duration for the plan: copying and re-reading every item once. */
export function estimateMinutes(messages: number, files: number, fileBytes: number): number {
  const bytes = messages * AVERAGE_MESSAGE_BYTES + fileBytes;
  const seconds = 2 * ((messages + files) * SECONDS_PER_ITEM + bytes / BYTES_PER_SECOND);
  return Math.max(1, Math.ceil(seconds / 60));
}

function describe(ctx: StepContext, s: Survey): StepPlan {
  const { request } = ctx.record;
  const messages = s.mailFolders.reduce((n, f) => n + f.totalItemCount, 0);
  const roster = ctx.council.roster.find((r) => r.userPrincipalName.toLowerCase() === request.userPrincipalName.toLowerCase());
  const warnings: string[] = [];
  if (roster && roster.termEnd !== request.termEnd) warnings.push(`The roster gives ${roster.termEnd} as the term end; this surrender uses ${request.termEnd}.`);
  if (request.force) warnings.push(`The term end is in the future; started anyway because: ${request.force.reason}`);
  for (const m of s.facts.optionalMissing) warnings.push(`Without ${m.permission} CouncilGuard cannot ${m.why}; that part will be skipped.`);
  return {
    step: 'preflight', title: 'Check before starting',
    summary: `${s.facts.target.displayName} (${s.facts.target.userPrincipalName}), term ended ${request.termEnd}. Archive: ${s.facts.library.name}/${archiveFolderName(s.facts.target.displayName, request.termEnd, s.facts.target.userPrincipalName)}. `
      + `${messages} message(s) in ${s.mailFolders.length} folder(s), ${s.contacts} contact(s), ${s.events} event(s), ${s.files.count} OneDrive file(s). `
      + `About ${estimateMinutes(messages, s.files.count, s.files.bytes)} minute(s).`,
    counts: { folders: s.mailFolders.length, messages, contacts: s.contacts, events: s.events, files: s.files.count, fileBytes: s.files.bytes },
    warnings,
  };
}

async function plan(ctx: StepContext): Promise<StepPlan> {
  const s = await survey(ctx);
  ctx.record.target = s.facts.target;
  Object.assign(ctx.planData, { mailFolders: s.mailFolders, contacts: s.contacts, events: s.events, files: s.files, facts: s.facts });
  return describe(ctx, s);
}

interface PreflightData {
  /** The archive folder this surrender is creating (saved before the create), so a rerun knows it is its own. */
  folderName?: string;
}

/**
 * This surrender's own archive folder: an existing folder of the same name is another surrender's (or
 * someone's) and is never reused; the name then carries this surrender's reference.
 */
async function ownArchiveFolder(ctx: StepContext, writer: ArchiveWriter, target: SurrenderTarget): Promise<{ folder: DriveItem; folderName: string }> {
  const { record, store } = ctx;
  const data = (await loadStepData<PreflightData>(store, record.id, 'preflight')) ?? {};
  const names = [undefined, `ref ${record.id.slice(0, 8)}`, `ref ${record.id}`].map((suffix) => archiveFolderName(target.displayName, record.request.termEnd, target.userPrincipalName, suffix));
  for (const name of names) {
    if (data.folderName === name) return { folder: await writer.ensureFolder('root', name), folderName: name };
    if (await writer.itemAt('root', name)) continue;
    data.folderName = name;
    await saveStepData(store, record.id, 'preflight', data);
    const created = await writer.createFolder('root', name);
    if (created !== 'exists') return { folder: created, folderName: name };
  }
  throw new StepFailure(`Every archive folder name for ${target.displayName} in "${writer.library}" is taken by other folders (${names.join('; ')}); move or rename them, then run the surrender again.`);
}

async function run(ctx: StepContext): Promise<StepOutcome> {
  let s: Survey;
  try {
    s = await survey(ctx);
  } catch (err) {
    if (err instanceof SurrenderInputError) throw new StepFailure(err.message);
    throw err;
  }
  const { record } = ctx;
  record.target = s.facts.target;
  const lib = s.facts.library;
  const writer = new ArchiveWriter(ctx.graph, lib.driveId, lib.name, ctx.tuning);
  // Creating the archive folder is also the proof that the library takes our writes.
  const { folder, folderName } = await ownArchiveFolder(ctx, writer, s.facts.target);
  record.archive = { siteId: lib.siteId, driveId: lib.driveId, library: lib.name, folderId: folder.id, folderName, webUrl: folder.webUrl };
  await ctx.saveRecord();
  const described = describe(ctx, s);
  await ctx.audit({ action: 'surrender.preflight', target: s.facts.target.userPrincipalName, result: 'done', detail: `${described.summary}${described.warnings?.length ? ` ${described.warnings.join(' ')}` : ''}` });
  return { status: 'done', counts: described.counts, message: described.warnings?.join(' ') || undefined };
}

export const preflight: Step = { name: 'preflight', title: 'Check before starting', plan, run };
