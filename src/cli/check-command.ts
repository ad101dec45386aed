/**
 * `genesys-enricher check --config FILE`: validates the config, logs in, resolves every queue and
 * the flow, loads and compiles the flow's schema, checks the attribute map against it, probes the
 * topic subscriptions and lists what each topic requires, probes the catch-up's calls and the
 * attribute write (naming any permission Genesys refuses), then the CRM, and prints one line per
 * check. Exit 0 when nothing failed, 1
 * when a check failed (the report is printed in full either way), 2 when the config does not load.
 */
import { loadConfig } from '../config/index.js';
import { CrmClient } from '../crm/index.js';
import { silentLogger } from '../log.js';
import { describeFailure, EXIT } from './exit.js';
import type { CommandIo } from './io.js';
import { checkState, type CheckDeps } from './operator/check-state.js';
import { genesysClientFor } from './operator/genesys.js';
import { formatResult, formatSummary, result, tally } from './operator/report.js';
import { runChecks } from './operator/run-checks.js';

export interface CheckArgs {
  readonly configFile: string;
  /** A phone number or e-mail address for the CRM probe (default: a made-up one). Never printed. */
  readonly sample?: string;
}

/** The real clients; the operational log stays quiet (the report says what matters). */
export const CHECK_DEPS: CheckDeps = {
  genesys: (config) => genesysClientFor(config, silentLogger),
  crm: (config) => new CrmClient(config.crm, { logger: silentLogger }),
  logger: silentLogger,
};

/** Runs every check and prints the report; resolves with the exit code. */
export async function checkCommand(args: CheckArgs, io: CommandIo, deps: CheckDeps = CHECK_DEPS): Promise<number> {
  const print = (line: string): void => {
    io.stdout.write(`${line}\n`);
  };
  print(`genesys-enricher check: ${args.configFile}`);
  let config;
  try {
    config = await loadConfig(args.configFile);
  } catch (err) {
    const { code, message } = describeFailure(err);
    // A config with several problems lists them one per line: keep them as detail lines.
    const [head = '', ...rest] = message.split('\n');
    print(formatResult(result('config', 'fail', head, rest.map((l) => l.trim()))));
    print('problems found: the config does not load, nothing else was checked');
    return code;
  }
  const results = await runChecks(checkState(config, deps, args.sample), (r) => {
    print(formatResult(r));
  });
  print(formatSummary(results));
  return tally(results).fail > 0 ? EXIT.runtime : EXIT.ok;
}
