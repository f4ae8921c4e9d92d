// One table in the four formats the command line offers (--output): aligned text for a person, JSON for
// tools, Excel-safe CSV (reports/csv.ts), and Markdown for email and chat (cells made inert).
import { renderCsv } from './csv';
import { mdText } from './summary';

export const OUTPUT_FORMATS = ['text', 'json', 'csv', 'md'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface Column<Row> {
  /** The header, and the JSON key. */
  name: string;
  value(row: Row): string | number | boolean | null | undefined;
}

// Terminal escapes and other controls in data must not reach a person's terminal.
// eslint-disable-next-line no-control-regex -- stripping controls is the point
const plain = (v: unknown) => String(v ?? '').replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, ' ');

export function renderTable<Row>(format: OutputFormat, columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  switch (format) {
    case 'json':
      return `${JSON.stringify(cells.map((row) => Object.fromEntries(columns.map((c, i) => [c.name, row[i] ?? null]))), null, 2)}\n`;
    case 'csv':
      return renderCsv(columns.map((c) => c.name), cells);
    case 'md': {
      const line = (row: readonly unknown[]) => `| ${row.map((v) => mdText(v)).join(' | ')} |`;
      return `${[line(columns.map((c) => c.name)), `|${columns.map(() => '---').join('|')}|`, ...cells.map(line)].join('\n')}\n`;
    }
    case 'text': {
      const text = [columns.map((c) => c.name), ...cells.map((row) => row.map(plain))];
      const widths = columns.map((_, i) => Math.max(...text.map((row) => String(row[i]).length)));
      return `${text.map((row) => row.map((v, i) => (i === row.length - 1 ? String(v) : String(v).padEnd(widths[i]))).join('  ').trimEnd()).join('\n')}\n`;
    }
  }
}
