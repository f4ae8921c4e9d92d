import { renderSupplierIndex, type IndexRow } from '../../reports/index-html';
import { GENERATED_AT, HOSTILE } from '../support/findings-factory';

const row = (council: string, over: Partial<IndexRow> = {}): IndexRow => ({
  council, tenantId: `tenant-${council}`, generatedAt: GENERATED_AT, high: 0, medium: 0, low: 0, new: 0, resolved: 0, trend: [0, 0], reportHref: `${council}/report.html`, ...over,
});
const order = (html: string) => [...html.matchAll(/<tr><th scope="row">(?:<a href="[^"]*">)?([^<]*)/g)].map((m) => m[1]);

describe('supplier index.html', () => {
  it('puts the worst council first: most high, then medium, then new', () => {
    const html = renderSupplierIndex([
      row('Calm'), row('Medium', { medium: 5 }), row('Worst', { high: 3 }), row('Busy', { high: 3, medium: 1 }), row('Fresh', { medium: 5, new: 2 }),
    ]);
    expect(order(html)).toEqual(['Busy', 'Worst', 'Fresh', 'Medium', 'Calm']);
    expect(html).toContain('5 councils; 6 high findings in all, at 2 councils.');
  });

  it('draws a sparkline per council with its figures in words, and the change since the night before', () => {
    const html = renderSupplierIndex([row('A', { high: 4, trend: [1, 2, 4] }), row('B', { trend: [] })]);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('aria-label="high findings per night, oldest first: 1, 2, 4"');
    expect(html).toContain('up 2');
    expect(html).toContain('high findings per night: no nights recorded');
  });

  it('links each report by a relative path, encoded; anything with a scheme, host or absolute path stays text', () => {
    const html = renderSupplierIndex([
      row('Spaces', { reportHref: '../runs/St Mary & All Saints #2/report.html' }),
      row('Script', { reportHref: 'javascript:alert(1)' }),
      row('Upper', { reportHref: 'JavaScript:alert(1)' }),
      row('Host', { reportHref: '//evil.example/report.html' }),
      row('Abs', { reportHref: '/etc/passwd' }),
      row('Data', { reportHref: 'data:text/html,<script>alert(1)</script>' }),
    ]);
    expect([...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1])).toEqual(['../runs/St%20Mary%20%26%20All%20Saints%20%232/report.html']);
  });

  it('hostile council names and tenant ids are text; nothing runs or loads', () => {
    const html = renderSupplierIndex(HOSTILE.map((name, i) => row(name, { tenantId: HOSTILE[(i + 1) % HOSTILE.length], high: i })));
    expect(html).not.toMatch(/<script/i);
    expect((html.match(/<[a-zA-Z][^>]*>/g) ?? []).filter((t) => /\son[a-z]+\s*=/i.test(t))).toEqual([]);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:; base-uri 'none'; form-action 'none'">/);
  });

  it('flags a council whose latest audit is well behind the others, and copes with no councils', () => {
    const html = renderSupplierIndex([row('Current'), row('Stopped', { generatedAt: '2026-11-20T02:14:00.000Z' })]);
    expect(html).toMatch(/Stopped[\s\S]*Friday 20 November 2026, 02:14 GMT <span class="stale">\(behind the others: check its nightly run\)<\/span>/);
    expect(html.match(/class="stale"/g)).toHaveLength(1);
    expect(renderSupplierIndex([])).toContain('No council has been audited yet.');
  });
});
