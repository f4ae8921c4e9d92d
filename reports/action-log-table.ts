// The action log as a table for the IT supplier (`councilguard actions`): one row per change or content
// access, oldest first, with before and after as JSON text; CSV by default, any --output format.
import type { LoggedAction } from '../store';
import type { Column } from './table';

const json = (v: unknown) => (v === undefined ? '' : JSON.stringify(v));

export const ACTION_LOG_COLUMNS: readonly Column<LoggedAction>[] = [
  { name: 'id', value: (a) => a.id },
  { name: 'at', value: (a) => a.at },
  { name: 'actor', value: (a) => a.actor },
  { name: 'action', value: (a) => a.action },
  { name: 'target', value: (a) => a.target },
  { name: 'result', value: (a) => a.result },
  { name: 'before', value: (a) => json(a.before) },
  { name: 'after', value: (a) => json(a.after) },
  { name: 'detail', value: (a) => a.detail ?? '' },
];
