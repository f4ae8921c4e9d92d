// The action log as CSV for the IT supplier: one row per change or content access, oldest first, with
// before and after as JSON text.
import type { LoggedAction } from '../store';
import { renderCsv } from './csv';

export const ACTION_LOG_COLUMNS = ['id', 'at', 'actor', 'action', 'target', 'result', 'before', 'after', 'detail'] as const;

export function renderActionLogCsv(actions: readonly LoggedAction[]): string {
  return renderCsv(ACTION_LOG_COLUMNS, actions.map((a) => [
    a.id, a.at, a.actor, a.action, a.target, a.result,
    a.before === undefined ? '' : JSON.stringify(a.before), a.after === undefined ? '' : JSON.stringify(a.after), a.detail ?? '',
  ]));
}
