// files.outside-sharepoint: council work must live in the council's SharePoint library, not in
// councillors' OneDrives.
//
// A file counts when its lastModifiedDateTime is older than council.oneDriveGraceDays: a file still being
// edited is a draft a councillor may keep in OneDrive for a while; one left untouched for the grace period
// is finished council work that belongs in the library. (createdDateTime is only the fallback when Graph
// gave no modified date.) Folders are not counted; their files are.
import { DateTime } from 'luxon';
import type { Check, EvaluationInput } from '../types';
import type { CheckOutcome, FindingDraft } from '../../core/findings';
import { OutcomeBuilder, readPart, requireParts, skippedByPolicy } from '../outcome';
import { councillorMemberIds, councillors, userSubject } from '../scope';
import { londonDay, runInstant, utcIso } from '../dates';
import { formatBytes, plural } from '../words';

const ID = 'files.outside-sharepoint' as const;
const CLAUSES = {
  'onedrive-files': ['files.council-storage'],
  'council-library-missing': ['files.council-storage'],
};
const DEFAULT_GRACE_DAYS = 30;
const MAX_EXAMPLES = 10;

function evaluate({ snapshot, council, profile, now }: EvaluationInput): CheckOutcome {
  if (!profile.filesMustBeInSharePoint) {
    return skippedByPolicy(`the council's policy (${profile.title}) does not require files to be kept in SharePoint`);
  }
  const required = requireParts(snapshot, ['users', 'oneDrives']);
  if ('outcome' in required) return required.outcome;
  const { users, oneDrives } = required.data;
  const out = new OutcomeBuilder();
  out.optional(snapshot, 'councillorGroup', 'councillor-group');

  const libraryName = council.sharePoint?.library || 'Documents';
  const graceDays = Number.isFinite(council.oneDriveGraceDays) && council.oneDriveGraceDays >= 0 ? council.oneDriveGraceDays : DEFAULT_GRACE_DAYS;
  const cutoffMs = runInstant(now).minus({ days: graceDays }).toMillis();

  // The library itself: missing or unreadable means there is nowhere compliant to keep files.
  const library = readPart(snapshot, 'councilLibrary');
  if (library.state === 'unavailable') {
    out.skipPart('council-library-missing', library.reason);
  } else if (library.state === 'error' || library.data === null) {
    const where = council.sharePoint?.siteUrl || council.sharePoint?.siteId || '(no site configured)';
    out.add({
      checkId: ID,
      kind: 'council-library-missing',
      key: 'library',
      severity: 'high',
      subject: { type: 'site', id: council.sharePoint?.siteId || council.sharePoint?.siteUrl || 'council-site', name: `${libraryName} library` },
      clauses: CLAUSES['council-library-missing'],
      summary: library.state === 'error'
        ? `The council's SharePoint library "${libraryName}" could not be read, so we cannot confirm council files have a proper home.`
        : `The council's SharePoint library "${libraryName}" was not found on the configured site, so councillors have nowhere compliant to keep council files.`,
      evidence: { site: where, library: libraryName, ...(library.state === 'error' ? { error: library.error } : { found: false }) },
      remediation: `Check sharePoint.siteId or sharePoint.siteUrl and sharePoint.library in the council config against the site in SharePoint (the library name must match exactly), or ask the IT supplier to create the "${libraryName}" library and give the app read access (Sites.Read.All).`,
    });
  }

  const byId = new Map(users.map((u) => [u.id, u]));
  const councillorSet = new Set(councillors(users, council, councillorMemberIds(snapshot)).map((u) => u.id));
  for (const [userId, drive] of Object.entries(oneDrives ?? {})) {
    if (!drive) continue; // no OneDrive provisioned: nothing held there
    const user = byId.get(userId);
    if (user && !councillorSet.has(userId)) continue;
    // An item with no real date (lastChangedMs undefined) cannot be judged, so it is not counted.
    const stale = (drive.items ?? [])
      .filter((i) => i && !i.isFolder && i.lastChangedMs !== undefined && i.lastChangedMs < cutoffMs)
      .sort((a, b) => a.lastChangedMs! - b.lastChangedMs! || a.path.localeCompare(b.path));
    if (stale.length === 0) continue;

    const totalBytes = stale.reduce((sum, item) => sum + (Number.isFinite(item.size) ? item.size : 0), 0);
    const oldest = DateTime.fromMillis(stale[0].lastChangedMs!, { zone: 'utc' });
    const subject = user ? userSubject(user) : { type: 'user' as const, id: userId, name: userId };
    const finding: FindingDraft = {
      checkId: ID,
      kind: 'onedrive-files',
      key: drive.driveId || userId,
      severity: 'medium',
      subject,
      clauses: CLAUSES['onedrive-files'],
      summary: `${subject.name}'s OneDrive holds ${plural(stale.length, 'file')} (${formatBytes(totalBytes)}) not changed for more than ${plural(graceDays, 'day')}; the oldest was last changed on ${londonDay(oldest)}. Council work belongs in the council's SharePoint library "${libraryName}".`,
      evidence: {
        driveId: drive.driveId,
        ...(drive.webUrl ? { webUrl: drive.webUrl } : {}),
        graceDays,
        fileCount: stale.length,
        totalBytes,
        oldestLastModified: utcIso(oldest),
        examples: stale.slice(0, MAX_EXAMPLES).map((item) => item.path),
      },
      remediation: `Move these files into the council's "${libraryName}" library on SharePoint (in OneDrive select them, choose "Move to" and pick the council site), or ask the IT supplier to move them. Drafts may stay in OneDrive for up to ${plural(graceDays, 'day')}.`,
    };
    out.add(finding);
  }
  return out.build();
}

export const filesOutsideSharePoint: Check = {
  id: ID,
  order: 10,
  title: 'Council files kept outside the SharePoint library',
  clauses: CLAUSES,
  reads: ['users', 'councillorGroup', 'oneDrives', 'councilLibrary'],
  evaluate,
};
