// councilguard surrenders --config F [--council NAME|TENANT_ID] [--output FORMAT]: each rostered
// councillor's term end and surrender, for the IT supplier in the week after an election.
import { loadCouncilFile, selectCouncils, withCouncils } from '../../jobs/council-context';
import { rosterWithSurrenders } from '../../jobs/offboarding';
import { renderTable } from '../../jobs/reports';
import { consoleLogger } from '../../core/logger';
import { councilSelector, type CouncilOption } from '../council-option';
import { EXIT } from '../exit-codes';
import type { OutputFormat } from '../output';

export async function surrendersCommand(opts: CouncilOption & { config: string; dataDir: string; output?: OutputFormat }, env: NodeJS.ProcessEnv = process.env, print: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const file = loadCouncilFile(opts.config);
  const councils = selectCouncils(file.councils, councilSelector(opts));
  const roster = await withCouncils({ file, env, log: consoleLogger, dataDir: opts.dataDir }, (all) => rosterWithSurrenders(all.store, councils));
  const rows = roster.flatMap((c) => c.councillors.map((r) => ({ council: c.name, ...r })));
  print(renderTable(opts.output ?? 'text', [
    { name: 'council', value: (r) => r.council },
    { name: 'councillor', value: (r) => r.userPrincipalName },
    { name: 'termEnd', value: (r) => r.termEnd },
    { name: 'surrender', value: (r) => r.surrender?.status ?? 'none' },
    { name: 'reference', value: (r) => r.surrender?.id ?? '' },
  ], rows));
  return EXIT.completed;
}
