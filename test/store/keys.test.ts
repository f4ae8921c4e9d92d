import { invertedTime, sortableTime, tableKey } from '../../store/keys';

describe('table keys', () => {
  it('contain none of the characters Table storage forbids in a key', () => {
    const key = tableKey('a/b\\c#d?e\u0001f\u007fg\u0090h');
    const forbidden = [...key].filter((c) => '/\\#?'.includes(c) || c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f));
    expect(forbidden).toEqual([]);
  });

  it('are different for different inputs, including ones that look encoded already', () => {
    const raws = ['a ', 'a b', 'a~20', 'a%20', 'a_b', 'a/b', 'a~2Fb', 'a%2Fb', 'A', 'a', '', '~', '%'];
    const keys = raws.map(tableKey);
    expect(new Set(keys).size).toBe(raws.length);
  });

  it('stay within the key size limit for a very long input, and stay distinct', () => {
    const a = tableKey('x'.repeat(5000) + 'a');
    const b = tableKey('x'.repeat(5000) + 'b');
    expect(a.length).toBeLessThanOrEqual(400);
    expect(a).not.toBe(b);
  });

  it('sort newest first (inverted) and oldest first (sortable) as strings', () => {
    const times = ['2025-01-01T00:00:00Z', '2026-11-24T02:00:00.000Z', '2026-11-24T02:00:00.001Z', '1999-12-31T23:59:59.999Z'];
    const byInverted = [...times].sort((x, y) => (invertedTime(x) < invertedTime(y) ? -1 : 1));
    expect(byInverted).toEqual([...times].sort((x, y) => Date.parse(y) - Date.parse(x)));
    const bySortable = [...times].sort((x, y) => (sortableTime(x) < sortableTime(y) ? -1 : 1));
    expect(bySortable).toEqual([...times].sort((x, y) => Date.parse(x) - Date.parse(y)));
  });
});
