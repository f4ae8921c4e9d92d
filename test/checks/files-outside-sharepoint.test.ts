import { filesOutsideSharePoint as check } from '../../checks/catalogue/files-outside-sharepoint';
import { driveSnapshotFromIndex, type DriveIndex } from '../../graph/readers/files';
import { DRIVE, IDS, failed, file, folder, makeSnapshot, missingPermission, ok, oneDriveOf, run } from '../support/snapshot-factory';

const oldFiles = [
  folder('f-old-folder', '/Old', '2024-01-01T00:00:00Z'),
  file('f1', '/Old/budget-2024.xlsx', '2025-03-01T12:00:00Z', { size: 2048 }),
  file('f2', '/Old/minutes-draft.docx', '2024-11-15T12:00:00Z', { size: 4096 }),
  file('f3', '/current-draft.docx', '2025-06-05T12:00:00Z'),
];

describe('files.outside-sharepoint', () => {
  it('reports a councillor with files untouched beyond the grace period, with count, size, oldest date and examples', () => {
    const snapshot = makeSnapshot({ oneDrives: ok({ [IDS.cllrA]: oneDriveOf(IDS.cllrA, DRIVE.cllrA, oldFiles), [IDS.cllrB]: null }) });
    const outcome = run(check, snapshot);
    expect(outcome.status).toBe('fail');
    expect(outcome.findings).toHaveLength(1);
    const f = outcome.findings[0];
    expect(f).toMatchObject({ kind: 'onedrive-files', severity: 'medium', key: DRIVE.cllrA, subject: { type: 'user', id: IDS.cllrA }, clauses: ['files.council-storage'] });
    expect(f.evidence).toMatchObject({ fileCount: 2, totalBytes: 6144, oldestLastModified: '2024-11-15T12:00:00Z', examples: ['/Old/minutes-draft.docx', '/Old/budget-2024.xlsx'] });
    expect(f.summary).toContain('15 November 2024');
    expect(f.summary).toContain('2 files');
  });

  it('lists at most ten example paths', () => {
    const many = Array.from({ length: 14 }, (_, i) => file(`m${i}`, `/f${String(i).padStart(2, '0')}.docx`, '2025-01-01T00:00:00Z'));
    const outcome = run(check, makeSnapshot({ oneDrives: ok({ [IDS.cllrA]: oneDriveOf(IDS.cllrA, DRIVE.cllrA, many) }) }));
    expect(outcome.findings[0].evidence).toMatchObject({ fileCount: 14 });
    expect((outcome.findings[0].evidence.examples as string[]).length).toBe(10);
  });

  it('does not count folders or files inside the grace period, and honours a longer grace', () => {
    const snapshot = makeSnapshot({ oneDrives: ok({ [IDS.cllrA]: oneDriveOf(IDS.cllrA, DRIVE.cllrA, oldFiles) }) });
    expect(run(check, snapshot, { council: { oneDriveGraceDays: 400 } }).status).toBe('pass');
  });

  it('judges a file read from a drive on its last change, falling back to creation when Graph gave none or its "never" date', () => {
    // Through the reader: collect folds the two dates into one number, and the finding must not change.
    const entry = (name: string, created: string, modified: string, folder = false): DriveIndex['items'][string] =>
      ({ name, parentId: 'root', size: folder ? 0 : 100, created, modified, folder, root: false, shared: false });
    const index: DriveIndex = {
      items: {
        root: { name: 'root', size: 0, created: '', modified: '', folder: true, root: true, shared: false },
        old: entry('Old', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z', true),
        never: { ...entry('never-modified.docx', '2024-01-01T00:00:00Z', '0001-01-01T00:00:00Z'), parentId: 'old' },
        empty: entry('empty-modified.docx', '2024-02-01T10:30:00Z', ''),
        undated: entry('undated.docx', '', ''),
        recent: entry('recent.docx', '2024-01-01T00:00:00Z', '2025-06-09T00:00:00Z'),
      },
    };
    const drive = driveSnapshotFromIndex(DRIVE.cllrA, index, { ownerUserId: IDS.cllrA });
    const outcome = run(check, makeSnapshot({ oneDrives: ok({ [IDS.cllrA]: drive }) }));
    expect(outcome.findings).toHaveLength(1);
    expect(outcome.findings[0].evidence).toMatchObject({ fileCount: 2, totalBytes: 200, oldestLastModified: '2024-01-01T00:00:00Z', examples: ['/Old/never-modified.docx', '/empty-modified.docx'] });
    expect(outcome.findings[0].summary).toContain('1 January 2024');
  });

  it('reports a missing council library as a high tenant-level finding', () => {
    const outcome = run(check, makeSnapshot({ councilLibrary: ok(null) }));
    expect(outcome.status).toBe('fail');
    expect(outcome.findings).toEqual([expect.objectContaining({ kind: 'council-library-missing', severity: 'high', subject: expect.objectContaining({ type: 'site' }) })]);
  });

  it('reports an unreadable council library as a finding, not a check error', () => {
    const outcome = run(check, makeSnapshot({ councilLibrary: failed('itemNotFound') }));
    expect(outcome.status).toBe('fail');
    expect(outcome.findings[0]).toMatchObject({ kind: 'council-library-missing', severity: 'high', evidence: { error: 'itemNotFound' } });
  });

  it('keeps judging OneDrives when the library cannot be read for lack of permission', () => {
    const snapshot = makeSnapshot({ councilLibrary: missingPermission('Sites.Read.All'), oneDrives: ok({ [IDS.cllrA]: oneDriveOf(IDS.cllrA, DRIVE.cllrA, oldFiles) }) });
    const outcome = run(check, snapshot);
    expect(outcome.findings.map((f) => f.kind)).toEqual(['onedrive-files']);
    expect(outcome.partialSkips).toEqual([{ part: 'council-library-missing', reason: expect.objectContaining({ code: 'missing-permission' }) }]);
  });

  it('is skipped with the permission named when OneDrives cannot be read', () => {
    const outcome = run(check, makeSnapshot({ oneDrives: missingPermission('Files.Read.All') }));
    expect(outcome).toMatchObject({ status: 'skipped', skipReason: { code: 'missing-permission', detail: expect.stringContaining('Files.Read.All') } });
  });

  it('is an error when the OneDrive read failed', () => {
    expect(run(check, makeSnapshot({ oneDrives: failed() })).status).toBe('error');
  });

  it('is skipped by policy when the council policy does not require SharePoint', () => {
    const outcome = run(check, makeSnapshot({ councilLibrary: ok(null) }), { profile: { filesMustBeInSharePoint: false } });
    expect(outcome).toMatchObject({ status: 'skipped', skipReason: { code: 'disabled-by-policy' } });
  });

  it('keeps the same key night after night', () => {
    const snapshot = makeSnapshot({ oneDrives: ok({ [IDS.cllrA]: oneDriveOf(IDS.cllrA, DRIVE.cllrA, oldFiles) }) });
    const tonight = run(check, snapshot).findings.map((f) => f.key);
    const tomorrow = run(check, snapshot, { now: '2025-06-11T02:00:00Z' }).findings.map((f) => f.key);
    expect(tomorrow).toEqual(tonight);
  });
});
