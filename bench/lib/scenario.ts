// The benchmarks' tenant generator: a council-shaped tenant of any size (two thirds councillors with
// OneDrives, one third clerk/staff, one IT-supplier admin), mailboxes, inbox rules, files, and breaches
// planted at a known rate from a seed, so every run of a size audits the same tenant.
import { buildScenario, type Scenario, type ScenarioFile, type ScenarioUser } from '../../simulator';
import { prng } from '../../simulator/prng';
import { parseCouncilFile } from '../../jobs/council-context';
import type { CouncilConfig } from '../../policy/council-config';

export interface BenchTenantSpec {
  /** Unique within one simulator (the tenant id is derived from it); lower-case letters, digits, '-'. */
  name: string;
  users: number;
  /** Messages generated in each mailbox's Inbox (metadata only until read). */
  messagesPerUser: number;
  /** Files in each councillor's OneDrive. */
  filesPerCouncillor: number;
  /** Files in the council's SharePoint library. */
  libraryFiles: number;
  /** Chance per user (rules, MFA, password policy) and per file (sharing) of a planted breach. */
  breachRate: number;
  seed: number;
  /** Adds the 'Councillor archives' library a surrender writes to. */
  archiveLibrary?: boolean;
  /** Mail folders of one councillor (the surrender's leaver), replacing the generated Inbox. */
  leaverFolders?: NonNullable<Exclude<ScenarioUser['mailbox'], false>>['folders'];
  /** How many councillors (the first ones) are leavers, each with leaverFolders and a term ended on the roster (default 1). */
  leavers?: number;
}

/** What the generator planted, to set beside what the checks found. */
export interface PlantedBreaches {
  externalForwardingRules: number;
  usersWithoutMfa: number;
  passwordNeverExpires: number;
  anonymousLinks: number;
  externalUserShares: number;
}

export interface BenchTenant {
  scenario: Scenario;
  council: CouncilConfig;
  planted: PlantedBreaches;
  councillors: number;
  filesInOneDrives: number;
  /** The first councillor: the surrender benchmark's leaver. */
  leaver: string;
}

/** Two thirds councillors, as in a parish council (10 councillors, a clerk and a few staff in 15). */
export const councillorCount = (users: number): number => Math.max(1, Math.round((users * 2) / 3));

export function buildBenchTenant(spec: BenchTenantSpec): BenchTenant {
  const random = prng(spec.seed);
  const domain = `${spec.name}.gov.uk`;
  const planted: PlantedBreaches = { externalForwardingRules: 0, usersWithoutMfa: 0, passwordNeverExpires: 0, anonymousLinks: 0, externalUserShares: 0 };
  const hit = () => random() < spec.breachRate;
  const councillorN = councillorCount(spec.users - 1);
  const upns: string[] = [];
  const councillorUpns: string[] = [];
  const staff: string[] = [];
  const users: ScenarioUser[] = [];
  let filesInOneDrives = 0;

  // User 0 is the IT supplier's admin (not a council account, but in scope as an admin).
  const admin = `itadmin@${domain}`;
  users.push({ userPrincipalName: admin, displayName: 'Supplier IT Admin', roles: ['Global Administrator'], mailbox: false, drive: false, mfa: { methods: ['microsoftAuthenticator'] } });
  for (let i = 1; i < spec.users; i++) {
    const isCouncillor = i <= councillorN;
    const upn = isCouncillor ? `cllr.${i}@${domain}` : i === councillorN + 1 ? `clerk@${domain}` : `staff.${i}@${domain}`;
    upns.push(upn);
    if (isCouncillor) councillorUpns.push(upn);
    else if (!upn.startsWith('clerk@')) staff.push(upn);

    const forwards = hit();
    if (forwards) planted.externalForwardingRules++;
    const noMfa = hit();
    if (noMfa) planted.usersWithoutMfa++;
    const neverExpires = hit();
    if (neverExpires) planted.passwordNeverExpires++;

    const files: ScenarioFile[] = [];
    if (isCouncillor) {
      for (let f = 0; f < spec.filesPerCouncillor; f++) {
        const sharing: ScenarioFile['sharing'] = [];
        if (hit()) { sharing.push({ type: 'anonymous' }); planted.anonymousLinks++; }
        if (hit()) { sharing.push({ type: 'users', recipients: [`resident${f}@example.net`] }); planted.externalUserShares++; }
        files.push({ path: `/${f % 3 === 0 ? 'Council' : 'Personal'}/doc-${f}.docx`, size: 2048 + f, ...(sharing.length ? { sharing } : {}) });
      }
      filesInOneDrives += files.length;
    }
    const folders = isCouncillor && i <= (spec.leavers ?? 1) && spec.leaverFolders ? spec.leaverFolders : [{ name: 'Inbox', count: spec.messagesPerUser, seed: i }, { name: 'Sent Items' }, { name: 'Deleted Items' }];
    users.push({
      userPrincipalName: upn,
      displayName: isCouncillor ? `Cllr ${i}` : upn.startsWith('clerk@') ? 'The Clerk' : `Staff ${i}`,
      licences: ['SPB'],
      passwordPolicies: neverExpires ? 'DisablePasswordExpiration' : null,
      mfa: { methods: noMfa ? [] : ['microsoftAuthenticator'] },
      mailbox: {
        folders,
        rules: [
          { displayName: 'Planning to folder' },
          ...(forwards ? [{ displayName: 'Send on', forwardTo: [`${upn.split('@')[0]}@gmail.example`] }] : []),
        ],
      },
      drive: isCouncillor ? { files } : false,
    });
  }

  const libraryFiles: ScenarioFile[] = Array.from({ length: spec.libraryFiles }, (_, f) => ({ path: `/Meetings/${2020 + (f % 6)}/minutes-${f}.docx`, size: 4096 }));
  const scenario = buildScenario({
    name: spec.name,
    organization: `${spec.name} Parish Council`,
    domains: [{ id: domain, isDefault: true }, { id: `${spec.name}.onmicrosoft.com` }],
    users,
    groups: [{ displayName: 'Councillors', members: councillorUpns }],
    sites: [{
      hostname: `${spec.name}.sharepoint.com`, path: '/sites/council', displayName: `${spec.name} council`,
      libraries: [{ name: 'Documents', files: libraryFiles }, ...(spec.archiveLibrary ? [{ name: 'Councillor archives' }] : [])],
    }],
    conditionalAccessPolicies: [{ displayName: 'Require MFA for everyone', state: 'enabled', includeUsers: ['All'], grantControls: ['mfa'] }],
  });

  const clerk = `clerk@${domain}`;
  const config = {
    name: `${spec.name} Parish Council`, tenantId: scenario.tenantId, profile: 'model-council', domains: [domain], councillorGroup: 'Councillors',
    clerk: upns.includes(clerk) ? clerk : councillorUpns[0], staff, itSupplier: { accounts: [admin], appIds: [] }, breakGlass: [], allowedForwardingDomains: [],
    sharePoint: { siteUrl: `https://${spec.name}.sharepoint.com/sites/council`, library: 'Documents' },
    oneDriveGraceDays: 30, allowedSignInCountries: ['GB'], auditWindowHours: 24,
    roster: councillorUpns.map((u, k) => ({ userPrincipalName: u, termStart: '2022-05-05', termEnd: k < (spec.leavers ?? 1) ? '2026-05-07' : '2027-05-06' })),
    checks: { disabled: [] }, enforce: { offboarding: { licenceGraceDays: 0, notifyFrom: clerk } }, delivery: {},
  };
  const council = parseCouncilFile({ councils: [config] }, `(bench tenant ${spec.name})`).councils[0];
  return { scenario, council, planted, councillors: councillorUpns.length, filesInOneDrives, leaver: councillorUpns[0] };
}
