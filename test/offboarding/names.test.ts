import { archiveFolderName, messageFileName, safeRelativePath, safeSegment, MAX_SEGMENT } from '../../offboarding/names';

const ILLEGAL = /["*:<>?/\\|]/;

describe('SharePoint-safe archive names', () => {
  it.each([
    ['Re: Budget? *urgent* <draft>', 'Re_ Budget_ _urgent_ _draft_'],
    ['a/b\\c|d:e', 'a_b_c_d_e'],
    ['  .hidden. ', 'hidden'],
    ['"*:<>?/\\|', 'untitled'],
    ['', 'untitled'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['Café – “Grand Opening” 🎉', 'Café – “Grand Opening” 🎉'],
  ])('%j becomes %j', (raw, expected) => {
    expect(safeSegment(raw)).toBe(expected);
  });

  it('no segment is ever illegal, empty, dotted at the ends, reserved or too long', () => {
    const hostile = ['..', '.', '/etc/passwd', 'C:\\Windows', 'x'.repeat(500), ' . ', 'COM1', 'LPT9.log', '\u0000\u0007', '_vti_'];
    for (const h of hostile) {
      const s = safeSegment(h);
      expect(s).not.toMatch(ILLEGAL);
      expect(s.length).toBeGreaterThan(0);
      expect(s.length).toBeLessThanOrEqual(MAX_SEGMENT);
      expect(s).not.toMatch(/^[\s.]|[\s.]$/);
      expect(s).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i);
    }
  });

  it('path traversal never leaves the archive folder', () => {
    const path = safeRelativePath(['..', '..', 'etc', '/passwd', '.']);
    expect(path.split('/')).toHaveLength(5);
    expect(path.split('/').every((seg) => seg !== '..' && seg !== '.' && !seg.includes('/'))).toBe(true);
    expect(path.startsWith('/')).toBe(false);
  });

  it('message names: dated, unique for duplicate subjects, stable across restarts, capped', () => {
    const a = messageFileName('2026-03-01T09:30:00Z', 'Re: Budget? *urgent*', 'id-1');
    const b = messageFileName('2026-03-01T09:30:00Z', 'Re: Budget? *urgent*', 'id-2');
    expect(a).toMatch(/^2026-03-01T0930 Re_ Budget_ _urgent_ [0-9a-f]{8}\.eml$/);
    expect(a).not.toBe(b);
    expect(messageFileName('2026-03-01T09:30:00Z', 'Re: Budget? *urgent*', 'id-1')).toBe(a);
    expect(messageFileName('2026-03-01T09:30:00Z', '"*:<>?', 'id-3')).toMatch(/ no subject [0-9a-f]{8}\.eml$/);
    expect(messageFileName('2026-03-01T09:30:00Z', 'y'.repeat(1000), 'id-4').length).toBeLessThanOrEqual(MAX_SEGMENT + 30);
  });

  it('the archive folder says whose and when, in a safe name', () => {
    expect(archiveFolderName('Cllr Harriet Hughes', '2026-05-07', 'h.hughes@exampleparish.gov.uk')).toBe('Cllr Harriet Hughes (h.hughes) – term ended 2026-05-07');
    expect(archiveFolderName('Cllr A/B: "C"', '2026-05-07', 'ab@exampleparish.gov.uk')).toBe('Cllr A_B_ _C_ (ab) – term ended 2026-05-07');
    // Two councillors of one name and term end (two domains, or a namesake) get different folders, and a
    // long name is shortened before the part that is the person's.
    expect(archiveFolderName('Cllr Jo Smith', '2026-05-07', 'jo.smith@a.gov.uk')).not.toBe(archiveFolderName('Cllr Jo Smith', '2026-05-07', 'joanna.smith@a.gov.uk'));
    expect(archiveFolderName('Cllr Jo Smith', '2026-05-07', 'jo.smith@a.gov.uk', 'ref 1a2b3c4d')).toBe('Cllr Jo Smith (jo.smith) – term ended 2026-05-07 – ref 1a2b3c4d');
    const long = archiveFolderName('Cllr '.padEnd(300, 'x'), '2026-05-07', 'jo.smith@a.gov.uk');
    expect(long.length).toBeLessThanOrEqual(MAX_SEGMENT);
    expect(long).toMatch(/ \(jo\.smith\) – term ended 2026-05-07$/);
  });
});
