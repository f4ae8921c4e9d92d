// The surrender, in order. Both runners walk this list: the CLI in one process, durable functions one
// activity per step (and per time slice of a long step) in Azure.
import type { Step, StepName } from '../types';
import { preflight } from './preflight';
import { freeze } from './freeze';
import { exportMail } from './export-mail';
import { exportContacts } from './export-contacts';
import { exportCalendar } from './export-calendar';
import { exportFiles } from './export-files';
import { verify } from './verify';
import { handOver } from './hand-over';
import { close } from './close';

export const STEPS: readonly Step[] = [preflight, freeze, exportMail, exportContacts, exportCalendar, exportFiles, verify, handOver, close];

export function stepNamed(name: StepName): Step {
  const step = STEPS.find((s) => s.name === name);
  if (!step) throw new Error(`there is no surrender step "${name}"`);
  return step;
}
