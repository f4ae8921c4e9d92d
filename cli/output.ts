// --output text|json|csv|md: how a command prints what it found. One option definition, one renderer
// (reports/table.ts through jobs/reports.ts), so every command offers the same four.
import { Option } from 'commander';
import { OUTPUT_FORMATS, type OutputFormat } from '../jobs/reports';

export type { OutputFormat };

export function outputOption(defaultFormat: OutputFormat = 'text'): Option {
  return new Option('--output <format>', 'how to print the result').choices([...OUTPUT_FORMATS]).default(defaultFormat);
}
