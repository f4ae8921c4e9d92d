import { barChart, lineChart, niceMax, SEVERITY_KEYS, sparkline, stackedBarChart } from '../../reports/charts';

describe('SVG charts', () => {
  it('stacked bars label each segment with its count and describe every row in words', () => {
    const svg = stackedBarChart({ id: 'c', title: 'By check', keys: SEVERITY_KEYS, rows: [
      { label: 'Mail <forwarding>', values: { high: 3, medium: 1 } },
      { label: 'Devices', values: {}, note: 'skipped' },
    ] });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" role="img" aria-labelledby="c-t c-d"/);
    expect(svg).toContain('<desc id="c-d">Mail &lt;forwarding&gt;: 3 high, 1 medium, 0 low, 0 info. Devices: skipped</desc>');
    expect(svg).toMatch(/<text [^>]*>3<\/text>/);
    expect(svg).toMatch(/<text [^>]*>skipped<\/text>/);
    // Severity is told apart by pattern as well as colour: four distinct pattern definitions, one per key.
    expect(svg.match(/<pattern id="c-(high|medium|low|info)"/g)).toHaveLength(4);
    expect(svg).toContain('>High</text>');
  });

  it('bars of a whole write "n of m (p%)" beside each bar, and survive an empty whole', () => {
    const key = SEVERITY_KEYS[0];
    const svg = barChart({ id: 'm', title: 'MFA', rows: [{ label: 'Registered', value: 11, of: 12, key }, { label: 'None', value: 0, of: 0, key }] });
    expect(svg).toContain('>11 of 12 (92%)</text>');
    expect(svg).toContain('>0 of 0</text>');
    expect(svg).not.toContain('NaN');
  });

  it('line chart: one night, no nights and many nights all draw without NaN, with end labels', () => {
    const series = SEVERITY_KEYS.slice(0, 2).map((key, i) => ({ key, values: [i + 1] }));
    const one = lineChart({ id: 'l', title: 'Trend', xLabels: ['25 Nov'], series });
    expect(one).not.toContain('NaN');
    expect(one).toContain('>High 1</text>');
    const none = lineChart({ id: 'l', title: 'Trend', xLabels: [], series: series.map((s) => ({ ...s, values: [] })) });
    expect(none).toContain('No nights recorded yet');
    expect(none).not.toContain('NaN');
    const many = lineChart({ id: 'l', title: 'Trend', xLabels: Array.from({ length: 30 }, (_, i) => `${i + 1} Nov`), series: [{ key: SEVERITY_KEYS[0], values: Array.from({ length: 30 }, (_, i) => i) }] });
    expect(many.match(/<circle /g)).toHaveLength(30 + 1); // a marker per night, and one in the key
    expect(many).toContain('>1 Nov</text>');
    expect(many).toContain('>30 Nov</text>');
  });

  it('sparkline states its values in words and writes the latest value', () => {
    const svg = sparkline([0, 2, 5], 'high findings per night');
    expect(svg).toContain('aria-label="high findings per night, oldest first: 0, 2, 5"');
    expect(svg).toMatch(/>5<\/text><\/svg>$/);
    expect(sparkline([])).not.toContain('NaN');
  });

  it('axis maxima are round numbers', () => {
    expect([0, 1, 3, 7, 12, 48, 101].map(niceMax)).toEqual([1, 1, 5, 10, 20, 50, 200]);
  });
});
