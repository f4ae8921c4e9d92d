// Surrender test harness: a small tenant with a leaving councillor (a few hundred messages in nested
// folders, hostile names, an empty folder, a search folder, contacts, events, OneDrive files), the
// council config that goes with it, and the real simulator, Graph client and Azurite store.
import { createHash } from 'node:crypto';
import { buildScenario, startSimulator, type RunningSimulator, type Scenario, type SimulatorOptions } from '../../simulator';
import type { ScenarioMailFolder } from '../../simulator/mailbox';
import { mimeOf } from '../../simulator/mailbox';
import { itemContent, type SimDrive, type SimItem, type TenantState } from '../../simulator/state';
import { collect } from '../../simulator/http';
import { openStore, type Store } from '../../store';
import { readEnvironment } from '../../config/env';
import { createGraphContext, type GraphContext } from '../../graph';
import { parseCouncilFile } from '../../jobs/council-context';
import type { CouncilConfig } from '../../policy/council-config';
import { silentLogger } from '../../core/logger';
import type { SurrenderDeps, Tuning } from '../../offboarding/types';
import { systemClock } from '../../core/clock';

export const DOMAIN = 'testparish.gov.uk';
export const LEAVER = `cllr.leaving@${DOMAIN}`;
export const CLERK = `clerk@${DOMAIN}`;
export const TERM_END = '2026-05-07';

export interface ScenarioOptions {
  name: string;
  /** Messages in the Inbox (others scale from it). */
  inbox?: number;
  largeMessages?: number[];
  readOnlyArchive?: boolean;
  noArchiveLibrary?: boolean;
  withhold?: string[];
}

export function leaverFolders(o: ScenarioOptions): ScenarioMailFolder[] {
  const inbox = o.inbox ?? 60;
  return [
    {
      name: 'Inbox', count: inbox, seed: 3,
      subjects: ['Café opening – “Grand Opening” 🎉', 'Re: Budget? *urgent* <draft>', 'Re: Budget? *urgent* <draft>', '..', '"*:<>?/\\|', 'CON', 'Précis: a/b\\c|d:e'],
      largeMessages: o.largeMessages,
      folders: [
        { name: 'Planning', count: Math.ceil(inbox / 3), seed: 4, folders: [{ name: '"*:<>?', count: 3, seed: 5 }, { name: '*?', count: 2, seed: 6 }] },
        { name: 'Empty folder' },
      ],
    },
    { name: 'Sent Items', count: Math.ceil(inbox / 2), seed: 7 },
    { name: 'Deleted Items', count: 5, seed: 8 },
    { name: 'Archive', count: 10, seed: 9, folders: [{ name: '2023 ▸ Résumé', count: 4, seed: 10 }] },
    { name: 'Unread mail (search)', search: true },
  ];
}

export function surrenderScenario(o: ScenarioOptions): Scenario {
  const s = buildScenario({
    name: o.name,
    domains: [{ id: DOMAIN, isDefault: true }, { id: 'testparish.onmicrosoft.com' }],
    people: [
      { userPrincipalName: CLERK, displayName: 'Pat Clerk (Clerk)', licences: ['SPB'], drive: { files: [{ path: '/Agendas/agenda.docx' }] } },
      {
        userPrincipalName: LEAVER, displayName: 'Cllr Lee Leaving', licences: ['SPB'],
        mailbox: {
          folders: leaverFolders(o),
          contacts: [{ displayName: 'Parish Tree Warden', email: 'trees@example.net', phone: '01234 567890' }, { displayName: "Ms Zoë O'Neill, Esq.", email: 'zoe@example.org' }],
          events: [{ subject: 'Full council; budget, precept', start: '-20d', durationMinutes: 120, location: 'Village Hall' }, { subject: 'Planning committee', start: '-6d' }],
        },
        drive: { files: [{ path: '/Council/Handover notes.docx', size: 25_000 }, { path: '/Council/Photos/fete #1.jpg', size: 600_000 }, { path: '/Notes.txt', size: 0 }] },
      },
      { userPrincipalName: `cllr.staying@${DOMAIN}`, displayName: 'Cllr Sam Staying', licences: ['SPB'] },
      { userPrincipalName: `cllr.admin@${DOMAIN}`, displayName: 'Cllr Ada Admin', roles: ['Global Administrator'] },
      { userPrincipalName: `itadmin@${DOMAIN}`, displayName: 'Supplier IT Admin', roles: ['Global Administrator'], mailbox: false, drive: false },
    ],
    skus: [{ skuPartNumber: 'SPB', servicePlans: ['EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD', 'AAD_PREMIUM', 'INTUNE_A'] }],
    groups: [{ displayName: 'Councillors', members: [LEAVER, `cllr.staying@${DOMAIN}`, `cllr.admin@${DOMAIN}`] }, { displayName: 'Planning committee', members: [LEAVER] }],
    sites: [{
      hostname: 'testparish.sharepoint.com', path: '/sites/council', displayName: 'Test Parish Council',
      libraries: [{ name: 'Documents' }, ...(o.noArchiveLibrary ? [] : [{ name: 'Councillor archives', readOnly: o.readOnlyArchive }])],
    }],
    managedDevices: [{ deviceName: 'LEAVING-IPAD', user: LEAVER, operatingSystem: 'iPadOS', isEncrypted: true, complianceState: 'compliant' }],
  });
  if (o.withhold) s.grantedPermissions = s.grantedPermissions.filter((p) => !o.withhold!.includes(p));
  return s;
}

export function councilConfig(s: Scenario, change: (c: Record<string, unknown>) => void = () => {}): CouncilConfig {
  const c: Record<string, unknown> = {
    name: 'Test Parish Council', tenantId: s.tenantId, profile: 'wivelsfield-2023', domains: [DOMAIN], councillorGroup: 'Councillors',
    clerk: CLERK, staff: [], itSupplier: { accounts: [`itadmin@${DOMAIN}`], appIds: [] }, breakGlass: [], allowedForwardingDomains: [],
    sharePoint: { siteUrl: 'https://testparish.sharepoint.com/sites/council', library: 'Documents' },
    oneDriveGraceDays: 30, allowedSignInCountries: ['GB'], auditWindowHours: 24,
    roster: [
      { userPrincipalName: LEAVER, termStart: '2022-05-05', termEnd: TERM_END },
      { userPrincipalName: `cllr.staying@${DOMAIN}`, termStart: '2022-05-05', termEnd: '2027-05-06' },
      { userPrincipalName: `cllr.admin@${DOMAIN}`, termStart: '2022-05-05', termEnd: '2026-05-07' },
      { userPrincipalName: `cllr.ghost@${DOMAIN}`, termStart: '2022-05-05', termEnd: '2026-05-07' },
    ],
    checks: { disabled: [] }, enforce: { offboarding: { licenceGraceDays: 0, notifyFrom: CLERK } }, delivery: {},
  };
  change(c);
  return parseCouncilFile({ councils: [c] }, '(test config)').councils[0];
}

export interface Harness {
  sim: RunningSimulator;
  scenario: Scenario;
  council: CouncilConfig;
  store: Store;
  graph: GraphContext;
  env: NodeJS.ProcessEnv;
  deps(tuning?: Partial<Tuning>): SurrenderDeps;
  tenant(): TenantState;
  close(): Promise<void>;
}

export async function harness(o: ScenarioOptions, sim: Omit<SimulatorOptions, 'scenarios'> = {}, config?: (c: Record<string, unknown>) => void): Promise<Harness> {
  const scenario = surrenderScenario(o);
  // Most surrender tests check what reaches the archive, not Outlook's limits: their mailbox requests need
  // not wait Exchange's 25 ms each. A test that needs requests to overlap, or a run that lasts, passes
  // mailboxWorkMs: 25.
  const running = await startSimulator({ mailboxWorkMs: 0, ...sim, scenarios: [scenario] });
  const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
  const env = { ...process.env, ...running.env(), COUNCILGUARD_STORAGE: process.env.COUNCILGUARD_TEST_STORAGE };
  const graph = createGraphContext(readEnvironment(env), { retry: { baseDelayMs: 50, maxDelayMs: 2000 } });
  const council = councilConfig(scenario, config);
  return {
    sim: running, scenario, council, store, graph, env,
    deps: (tuning) => ({ council, graph, store, log: silentLogger, clock: systemClock, tuning }),
    tenant: () => running.tenant(),
    close: () => running.close(),
  };
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export function archiveDrive(t: TenantState): SimDrive {
  return [...t.drives.values()].find((d) => d.name === 'Councillor archives')!;
}

/** Live items below a folder of the archive drive, by path ('Mail/Inbox'), files only. */
export function filesIn(drive: SimDrive, folder: SimItem): SimItem[] {
  // A mail folder's index.html (the clerk's browsable list) is checked by late-mail.test.ts, not counted here.
  return [...drive.items.values()].filter((i) => i.parentId === folder.id && !i.deleted && !i.folder && i.name !== 'index.html');
}

export function childFolder(drive: SimDrive, parent: SimItem, name: string): SimItem | undefined {
  return [...drive.items.values()].find((i) => i.parentId === parent.id && !i.deleted && i.folder && i.name === name);
}

export function itemByPath(drive: SimDrive, path: string): SimItem | undefined {
  let at: SimItem | undefined = [...drive.items.values()].find((i) => i.root);
  for (const seg of path.split('/').filter(Boolean)) {
    at = [...drive.items.values()].find((i) => at && i.parentId === at.id && !i.deleted && i.name === seg);
    if (!at) return undefined;
  }
  return at;
}

export const contentOf = (item: SimItem): Buffer => collect(itemContent(item));

export function leaver(t: TenantState) {
  return t.users.find((u) => u.userPrincipalName === LEAVER)!;
}

/** Every message of the leaver's mailbox (search folders excluded) with its MIME's SHA-256. */
export function mailboxDigests(t: TenantState): Map<string, { folder: string; sha256: string; size: number }> {
  const u = leaver(t);
  const out = new Map<string, { folder: string; sha256: string; size: number }>();
  for (const f of u.mailFolders.values()) {
    if (f.search) continue;
    for (const m of f.messages) {
      const mime = mimeOf(m, u.userPrincipalName);
      out.set(m.id, { folder: f.displayName, sha256: sha256(mime), size: mime.length });
    }
  }
  return out;
}

/**
 * Tenant state as text, for "nothing changed" comparisons (Maps as entries, Buffers as hashes). A drive
 * item's `hashes` is the simulator's cache of a hash of content that did not change, so it is left out.
 */
export function serialiseTenant(t: TenantState): string {
  return JSON.stringify(t, (k, v: unknown) => {
    if (k === 'hashes') return undefined;
    if (v instanceof Map) return [...v.entries()];
    if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) return `buffer:${sha256(Buffer.from((v as { data: number[] }).data))}`;
    return v;
  });
}

/** The first place two serialised states differ, with some context (a readable test failure). */
export function firstDifference(a: string, b: string): string | undefined {
  if (a === b) return undefined;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: …${a.slice(Math.max(0, i - 200), i + 200)}… became …${b.slice(Math.max(0, i - 200), i + 200)}…`;
}
