// councilguard evidence --config F [--council X] --year 2026-27 --out DIR   the year's Assertion 10 pack
// councilguard evidence --config F --verify DIR                              rebuild it from the store and compare
import { join } from 'node:path';
import { UsageError } from '../../core/errors';
import { consoleLogger, type Logger } from '../../core/logger';
import { evidenceFromConfigFile, packDigest, verifyEvidenceFromConfigFile } from '../../jobs/evidence';
import { councilSelector, type CouncilOption } from '../council-option';
import { EXIT } from '../exit-codes';

export interface EvidenceOptions extends CouncilOption {
  config: string;
  year?: string;
  out?: string;
  verify?: string;
  dataDir?: string;
}

export async function evidenceCommand(opts: EvidenceOptions, log: Logger = consoleLogger): Promise<number> {
  if (opts.verify !== undefined) {
    if (opts.year !== undefined || opts.out !== undefined) throw new UsageError('--verify takes only the pack\'s folder (and --config); leave out --year and --out.');
    const result = await verifyEvidenceFromConfigFile({ configPath: opts.config, dir: opts.verify, dataDir: opts.dataDir, log });
    if (result.matches) {
      log.info(`The pack in ${opts.verify} matches the run records in the store.`);
      return EXIT.completed;
    }
    log.error(`The pack in ${opts.verify} does not match the store: ${result.problems.join('; ')}.`);
    return EXIT.checkErrored;
  }
  if (!opts.year) throw new UsageError('Say which financial year with --year YYYY-YY, e.g. --year 2026-27 (1 April 2026 to 31 March 2027).');
  if (!opts.out) throw new UsageError('Say where to write the pack with --out DIR.');
  const result = await evidenceFromConfigFile({ configPath: opts.config, council: councilSelector(opts), year: opts.year, out: opts.out, dataDir: opts.dataDir, log });
  const { coverage } = result.pack;
  if (result.empty) {
    log.error(`${result.pack.council}: there are no run records for ${result.pack.year}; the pack in ${opts.out} says so and suggests no answer. Audit nightly (the function app's timer) to build the year's evidence.`);
    return EXIT.checkErrored;
  }
  log.info(`${result.pack.council}, ${result.pack.year}: ${coverage.nightsAudited} of ${coverage.nightsInPeriod} nights audited; ${result.pack.sections.map((s) => `${s.id}: ${s.answer}`).join('; ')}.`);
  log.info(`Evidence: ${join(opts.out, 'evidence.html')} (pack digest ${packDigest(result.files)}, the SHA-256 of evidence.sha256; records digest ${result.pack.recordsDigest})`);
  return EXIT.completed;
}
