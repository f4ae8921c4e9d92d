import { randomUUID } from 'node:crypto';
import { openStore, Store, type ActionEntry } from '../../store';

const entry = (tenantId: string, action: string, extra: Partial<ActionEntry> = {}): ActionEntry =>
  ({ tenantId, actor: 'clerk@exampleparish.gov.uk', action, target: 'cllr.a@exampleparish.gov.uk', result: 'done', ...extra });

describe('action log', () => {
  let store: Store;
  beforeAll(async () => { store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!); });

  it('lists actions in time order, whatever order they were appended in', async () => {
    const t = randomUUID();
    await store.appendAction(entry(t, 'block-sign-in', { before: { accountEnabled: true }, after: { accountEnabled: false } }), '2026-11-24T10:00:00.000Z');
    await store.appendAction(entry(t, 'export-mailbox', { detail: '1,204 messages' }), '2026-11-24T09:00:00Z');
    await store.appendAction(entry(t, 'remove-licence', { result: 'skipped' }), '2026-11-24T11:00:00.000Z');
    const actions = await store.listActions(t);
    expect(actions.map((a) => a.action)).toEqual(['export-mailbox', 'block-sign-in', 'remove-licence']);
    expect(actions[0]).toMatchObject({ at: '2026-11-24T09:00:00.000Z', detail: '1,204 messages', before: null, after: null });
    expect(actions[1]).toMatchObject({ actor: 'clerk@exampleparish.gov.uk', target: 'cllr.a@exampleparish.gov.uk', before: { accountEnabled: true }, after: { accountEnabled: false }, result: 'done' });
    expect(actions[1].detail).toBeUndefined();
  });

  it('keeps the order of actions appended in the same millisecond', async () => {
    const t = randomUUID();
    const at = '2026-11-24T12:00:00.000Z';
    for (const step of ['one', 'two', 'three', 'four', 'five']) await store.appendAction(entry(t, step), at);
    expect((await store.listActions(t)).map((a) => a.action)).toEqual(['one', 'two', 'three', 'four', 'five']);
  });

  it('lists only actions since a time, and only the tenant asked for', async () => {
    const [t, other] = [randomUUID(), randomUUID()];
    await store.appendAction(entry(t, 'early'), '2026-11-01T00:00:00.000Z');
    await store.appendAction(entry(t, 'late'), '2026-11-20T00:00:00.000Z');
    await store.appendAction(entry(other, 'elsewhere'), '2026-11-21T00:00:00.000Z');
    expect((await store.listActions(t, { since: '2026-11-20T00:00:00Z' })).map((a) => a.action)).toEqual(['late']);
    expect((await store.listActions(t)).map((a) => a.action)).toEqual(['early', 'late']);
  });

  it('keeps a before/after larger than a table property whole', async () => {
    const t = randomUUID();
    const before = { permissions: Array.from({ length: 2000 }, (_, i) => ({ id: `perm-${i}`, roles: ['write'], grantedTo: `person${i}@example.org` })) };
    await store.appendAction(entry(t, 'remove-sharing', { before, after: { permissions: [] } }));
    const [logged] = await store.listActions(t);
    expect(logged.before).toEqual(before);
    expect(logged.after).toEqual({ permissions: [] });
  });

  it('is append-only: ids are unique and the store offers no way to change or remove an entry', async () => {
    const t = randomUUID();
    const ids = await Promise.all([1, 2, 3].map(() => store.appendAction(entry(t, 'same'), '2026-11-24T12:00:00.000Z')));
    expect(new Set(ids).size).toBe(3);
    const methods = Object.getOwnPropertyNames(Store.prototype).filter((m) => /action/i.test(m));
    expect(methods.sort()).toEqual(['appendAction', 'listActions']);
  });

  it('refuses an entry without an actor', async () => {
    await expect(store.appendAction(entry(randomUUID(), 'x', { actor: '' }))).rejects.toThrow(/must name its actor/);
  });
});
