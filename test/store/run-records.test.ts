// Run records in the store (Azurite): written once, listed by night, kept apart from the reports'
// retention, and never pruned to fewer than 400 days.
import { randomUUID } from 'node:crypto';
import { openStore, RunRecordAlreadyWrittenError, type Store } from '../../store';

describe('run records', () => {
  let store: Store;
  const tenant = () => randomUUID();
  beforeAll(async () => { store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!); });

  it('a record is written once: the same night and run again is refused, whatever the bytes', async () => {
    const t = tenant();
    const name = await store.runRecords.save(t, '2026-05-01', 'run-1', Buffer.from('{"a":1}'));
    await expect(store.runRecords.save(t, '2026-05-01', 'run-1', Buffer.from('{"a":2}'))).rejects.toBeInstanceOf(RunRecordAlreadyWrittenError);
    expect((await store.runRecords.get(name))?.toString()).toBe('{"a":1}');
  });

  it('lists the nights asked for, in order, and refuses a night that is not a date', async () => {
    const t = tenant();
    for (const night of ['2026-03-31', '2026-04-01', '2026-04-02', '2027-03-31', '2027-04-01']) await store.runRecords.save(t, night, `r-${night}`, Buffer.from(night));
    expect((await store.runRecords.list(t, '2026-04-01', '2027-03-31')).map((r) => [r.night, r.bytes.toString()])).toEqual([
      ['2026-04-01', '2026-04-01'], ['2026-04-02', '2026-04-02'], ['2027-03-31', '2027-03-31'],
    ]);
    await expect(store.runRecords.save(t, '1 May', 'r', Buffer.from('x'))).rejects.toThrow(/night must be a date written YYYY-MM-DD/);
  });

  it('the reports\' retention leaves the records; their own keeps at least 400 days', async () => {
    const t = tenant();
    await store.saveRun(t, 'old-run', '2025-01-10T02:00:00.000Z', { 'findings.json': '{"findings":[],"resolved":[]}' });
    await store.runRecords.save(t, '2025-01-10', 'old-run', Buffer.from('{}'));
    await store.runRecords.save(t, '2026-11-01', 'new-run', Buffer.from('{}'));
    expect(await store.deleteRunsOlderThan(t, '2026-01-01T00:00:00.000Z')).toBe(1);
    expect(await store.runRecords.list(t, '2025-01-01', '2026-12-31')).toHaveLength(2);
    await expect(store.runRecords.deleteOlderThan(t, '2026-11-30T02:00:00.000Z', 399)).rejects.toThrow(/at least 400 days/);
    expect(await store.runRecords.deleteOlderThan(t, '2026-11-30T02:00:00.000Z', 400)).toBe(1);
    expect((await store.runRecords.list(t, '2025-01-01', '2026-12-31')).map((r) => r.night)).toEqual(['2026-11-01']);
  });
});
