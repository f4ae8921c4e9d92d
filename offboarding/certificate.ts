// certificate.html: the one page the clerk keeps. Who asked and when, what was exported (per folder),
// what was verified and how, the manifest's SHA-256, and what happens next. Self-contained (no script,
// no remote anything), UK English, dates in Europe/London.
import { esc } from '../reports/escape';
import { pageHead } from '../reports/page-head';
import { ukDateTime, ukLongDate } from '../core/uk-time';
import { loadProfile, resolveClause } from '../policy/load';
import type { CouncilConfig } from '../policy/council-config';
import type { SurrenderRecord } from './types';
import type { VerifySummary } from './steps/verify';
import type { ManifestTotals } from './manifest';
import { version } from '../package.json';

const CERTIFICATE_CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#fff;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
h1{font-size:1.6rem;margin-bottom:.25rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #1d70b8;padding-bottom:.2rem}
.lede{font-size:1.1rem}.ok{color:#00703c;font-weight:bold}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:bold}dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:.95rem}th,td{border:1px solid #b1b4b6;padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#f3f2f1}
.num{text-align:right;font-variant-numeric:tabular-nums}code{font-family:ui-monospace,Consolas,monospace;word-break:break-all}
footer{margin-top:3rem;font-size:.85rem;color:#505a5f}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media print{body{margin:0}h2{break-after:avoid}}`;

export interface CertificateInput {
  record: SurrenderRecord;
  council: CouncilConfig;
  /** The manifest's counts (offboarding/manifest.ts manifestTotals), not its rows. */
  totals: ManifestTotals;
  verify: VerifySummary;
  manifestSha256: string;
  generatedAt: string;
  /** When licences come off (after the grace period). */
  licenceRemovalDue: string;
}

const LEFT_KIND = { group: 'Group', licence: 'Licence', device: 'Device', mailbox: 'Mailbox' } as const;
const n = (x: number) => x.toLocaleString('en-GB');
const mb = (bytes: number) => `${(bytes / 1048576).toLocaleString('en-GB', { maximumFractionDigits: 1 })} MB`;
const ukDay = ukLongDate;

export function renderCertificate(c: CertificateInput): string {
  const { record, council, totals, verify } = c;
  const req = record.request;
  const target = record.target!;
  const archive = record.archive!;
  let clause: { number: string; summary: string } | undefined;
  try {
    clause = resolveClause(loadProfile(council.profile), council, 'accounts.surrender');
  } catch {
    clause = undefined;
  }
  const contacts = record.steps['export-contacts'].counts?.contacts ?? 0;
  const events = record.steps['export-calendar'].counts?.events ?? 0;
  const notebooks = record.steps['export-files'].counts?.notebooks ?? 0;
  const opt = req.options;

  const folderRows = verify.folders.map((f) => `<tr><td>${esc(f.sourcePath)}</td><td>${esc(f.archivePath)}</td><td class="num">${n(f.listed)}</td><td class="num">${n(f.archived)}</td><td class="num">${n(f.gone)}</td><td class="num">${n(f.inArchive)}</td></tr>`).join('\n');
  const gone = verify.gone.length
    ? `<h2>Deleted from the mailbox during the copy</h2><p>${n(verify.gone.length)} message(s) were listed but had been deleted from the mailbox when CouncilGuard came to copy them, and were still gone when the archive was verified. They are listed in manifest.csv with status “gone”.</p><ul>${verify.gone.slice(0, 50).map((g) => `<li>${esc(g.sourceFolder)}: ${esc(g.name)}</li>`).join('')}</ul>`
    : '';
  const drifted = verify.folders.filter((f) => f.inMailboxNow !== undefined && (f.movedIn || f.leftSinceCopy || f.notMessages));
  const reconciled = drifted.length
    ? `<h2>The mailbox at verification</h2><p>Each folder's item count was read again from the mailbox when the archive was verified. Where it differs from the archive, every difference is explained: an item (a message, event or contact) moved or deleted after its copy was made, whose copy is in the archive folder or file it was copied to; or an item that is not an email message (Outlook counts every item in a folder, and only messages are exported as .eml), which stays in the mailbox.</p>
<table><caption class="visually-hidden">Folders whose count changed after the copy</caption><thead><tr><th scope="col">Folder</th><th scope="col" class="num">In the mailbox now</th><th scope="col" class="num">Copied here</th><th scope="col" class="num">Moved here after its copy elsewhere</th><th scope="col" class="num">Moved or deleted after its copy</th><th scope="col" class="num">Not email messages (stay in the mailbox)</th></tr></thead><tbody>
${drifted.map((f) => `<tr><td>${esc(f.sourcePath)}</td><td class="num">${n(f.inMailboxNow!)}</td><td class="num">${n(f.archived)}</td><td class="num">${n(f.movedIn ?? 0)}</td><td class="num">${n(f.leftSinceCopy ?? 0)}</td><td class="num">${n(f.notMessages ?? 0)}</td></tr>`).join('\n')}
</tbody></table>`
    : '';
  const notCopied = record.notCopied?.length
    ? `<h2>Not copied, and where it remains</h2><p>These could not be copied into the archive. Each is listed with where it still is${record.keepMailbox ? '; because of them <strong>the mailbox is kept and its licence is not removed</strong>' : ''}.</p>
<table><caption class="visually-hidden">What was not copied</caption><thead><tr><th scope="col">What</th><th scope="col">Where it remains</th><th scope="col">Why it was not copied</th></tr></thead><tbody>
${record.notCopied.map((x) => `<tr><td>${esc(x.what)}${x.count !== undefined ? ` (${n(x.count)})` : ''}</td><td>${esc(x.where)}</td><td>${esc(x.why)}</td></tr>`).join('\n')}
</tbody></table>`
    : '';
  const changed = totals.changedShown;
  const changedSection = totals.changedFiles
    ? `<h2>OneDrive files saved again during the copy</h2><p>These files were changed while the surrender ran. Each was read again and its latest version copied and checked against the OneDrive's new hash${changed.some((r) => r.keptChanging) ? '; those marked “still changing” were being saved again after every copy, so the archive holds the latest version CouncilGuard could copy' : ''}.</p><ul>${changed.map((r) => `<li>${esc(r.sourceFolder)}${r.keptChanging ? ' (still changing)' : ''}</li>`).join('')}</ul>`
    : '';
  const next = [
    `The account ${esc(target.userPrincipalName)} stays, with sign-in blocked. CouncilGuard never deletes an account.`,
    'The councillor is removed from the council\'s groups and Teams, and any council device enrolled in Intune is retired (council data removed from it).',
    opt.convertToShared ? `The mailbox becomes a shared mailbox${opt.grantClerkFullAccess ? ` and the clerk (${esc(council.clerk)}) is given full access to it` : ''}.` : (opt.grantClerkFullAccess ? `The clerk (${esc(council.clerk)}) is given full access to the mailbox.` : ''),
    `Licences are removed on or after ${esc(ukDateTime(c.licenceRemovalDue))}, ${n(opt.licenceGraceDays)} day(s) after this verification. ${opt.convertToShared ? '' : 'Without a licence Microsoft deletes the mailbox after 30 days; this archive is the council\'s copy.'}`,
    'The former councillor must delete council data, including contact details, from any personal device, and should confirm this to the clerk in writing.',
  ].filter(Boolean);

  return `${pageHead(`Certificate of surrender: ${target.displayName}`, CERTIFICATE_CSS)}
<body>
<main>
<h1>Certificate of surrender</h1>
<p class="lede">${esc(council.name)}: the council email account and files of <strong>${esc(target.displayName)}</strong> have been copied to the council's archive and the copy has been <span class="ok">verified</span>.</p>
${clause ? `<p>This carries out clause ${esc(clause.number)} of the council's IT policy: ${esc(clause.summary)}</p>` : ''}
<h2>The surrender</h2>
<dl>
<dt>Councillor</dt><dd>${esc(target.displayName)} (${esc(target.userPrincipalName)})</dd>
<dt>Term ended</dt><dd>${esc(ukDay(req.termEnd))}</dd>
<dt>Requested by</dt><dd>${esc(req.requestedBy)}, ${esc(ukDateTime(req.requestedAt))}${req.via === 'cli' ? ' (command line)' : ' (offboarding page)'}</dd>
${req.force ? `<dt>Started before, or apart from, the roster's term end because</dt><dd>${esc(req.force.reason)}</dd>` : ''}
<dt>Archive</dt><dd>${esc(archive.library)} / ${esc(archive.folderName)}${archive.webUrl ? `<br><code>${esc(archive.webUrl)}</code>` : ''}</dd>
<dt>Reference</dt><dd><code>${esc(record.id)}</code></dd>
</dl>
<h2>What was copied</h2>
<p>${n(totals.messages)} email message(s) as .eml files (each with its attachments, openable in Outlook), ${n(contacts)} contact(s) (contacts.vcf and contacts.csv), ${n(events)} calendar event(s) (calendar.ics) and ${n(totals.files)} OneDrive file(s)${notebooks ? `, among them the files of ${n(notebooks)} OneNote notebook(s)` : ''}: ${mb(totals.bytes)} in all.</p>
<table>
<caption class="visually-hidden">Items per folder</caption>
<thead><tr><th scope="col">Folder</th><th scope="col">In the archive at</th><th scope="col" class="num">Listed</th><th scope="col" class="num">Copied</th><th scope="col" class="num">Deleted before copy</th><th scope="col" class="num">Files found in archive</th></tr></thead>
<tbody>
${folderRows}
</tbody>
</table>
${gone}
${reconciled}
${changedSection}
${notCopied}
<h2>How the copy was verified</h2>
<ul>
<li>For every folder, the number of items listed at the start equals the number copied, and the archive folder holds exactly those files.</li>
<li>Every row of the manifest (${n(verify.rows)} rows) was matched to its file in the archive by identity, name and size.</li>
<li>The SHA-256 of the archived bytes was read back from SharePoint and matched the manifest for ${verify.hashScope === 'all' ? `<strong>every</strong> archived item (${n(verify.hashChecked)})` : `a random sample of <strong>${n(verify.hashChecked)}</strong> of ${n(totals.archived)} archived items`}.</li>
${totals.files ? `<li>${n(totals.filesXorMatched)} of ${n(totals.files)} OneDrive file(s) carry the same quickXorHash in the archive as in the OneDrive.</li>` : ''}
<li>Verified ${esc(ukDateTime(verify.verifiedAt ?? c.generatedAt))}.</li>
</ul>
<h2>The manifest</h2>
<p><strong>manifest.csv</strong>, beside this certificate, lists every item: where it came from, where it is in the archive, its size and its SHA-256. Its own SHA-256 is</p>
<p><code>${esc(c.manifestSha256)}</code></p>
<p>Anyone can check the manifest has not changed since: in PowerShell, <code>Get-FileHash manifest.csv -Algorithm SHA256</code>.</p>
${record.leftForItSupplier?.length ? `<h2>Left for the IT supplier</h2>
<p>CouncilGuard could not change these by design (Microsoft's rules, or a permission or connection the council has not given it). The account is otherwise closed; the IT supplier finishes these by hand.</p>
<ul>${record.leftForItSupplier.map((l) => `<li><strong>${esc(LEFT_KIND[l.kind])} ${esc(l.name)}</strong>: ${esc(l.reason)}</li>`).join('\n')}</ul>` : ''}
<h2>What happens next</h2>
<ul>${next.map((x) => `<li>${x}</li>`).join('\n')}</ul>
</main>
<footer>Issued by CouncilGuard ${esc(version)} on ${esc(ukDateTime(c.generatedAt))}. Every step is recorded in CouncilGuard's action log.</footer>
</body>
</html>
`;
}
