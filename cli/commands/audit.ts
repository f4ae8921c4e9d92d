// councilguard audit --config FILE --out DIR [--council NAME|TENANT_ID] [--fail-on SEV]
import { auditFromConfigFile, auditVerdict, writeAuditFiles } from '../../jobs/audit';
import { consoleLogger, type Logger } from '../../core/logger';
import { councilSelector, type CouncilOption } from '../council-option';
import { EXIT } from '../exit-codes';

export interface AuditOptions extends CouncilOption {
  config: string;
  out: string;
  failOn?: 'high' | 'medium' | 'low';
  dataDir: string;
}

const EXIT_FOR = { 'completed': EXIT.completed, 'incomplete': EXIT.checkErrored, 'findings-at-threshold': EXIT.findingsAtThreshold } as const;

export async function auditCommand(opts: AuditOptions, env: NodeJS.ProcessEnv = process.env, log: Logger = consoleLogger): Promise<number> {
  const outcomes = await auditFromConfigFile({ configPath: opts.config, council: councilSelector(opts), dataDir: opts.dataDir, env, log });
  writeAuditFiles(outcomes, opts.out, log);
  return EXIT_FOR[auditVerdict(outcomes, opts.failOn)];
}
