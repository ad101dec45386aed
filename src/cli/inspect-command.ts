/**
 * `genesys-enricher inspect --config FILE --conversation ID [--write]`: what the daemon would do
 * with one conversation, field by field, without customer data in clear. Writes only with
 * `--write`. Exit 0 when the inspection ran (and a requested write happened), 1 for an unknown
 * conversation, a failed or impossible write, or another runtime problem, 2 for a bad config.
 */
import { loadConfig } from '../config/index.js';
import { CrmClient } from '../crm/index.js';
import { silentLogger } from '../log.js';
import { describeFailure } from './exit.js';
import type { CommandIo } from './io.js';
import { genesysClientFor } from './operator/genesys.js';
import { inspectConversation, type InspectDeps } from './operator/inspect-run.js';

export interface InspectArgs {
  readonly configFile: string;
  readonly conversationId: string;
  readonly write: boolean;
}

/** The real clients; the operational log stays quiet (the printout says what matters). */
export const INSPECT_DEPS: InspectDeps = {
  genesys: (config) => genesysClientFor(config, silentLogger),
  crm: (config) => new CrmClient(config.crm, { logger: silentLogger }),
  logger: silentLogger,
};

/** Inspects one conversation; resolves with the exit code (failures are printed to stderr). */
export async function inspectCommand(args: InspectArgs, io: CommandIo, deps: InspectDeps = INSPECT_DEPS): Promise<number> {
  try {
    const config = await loadConfig(args.configFile);
    return await inspectConversation(config, args, deps, (line) => {
      io.stdout.write(`${line}\n`);
    });
  } catch (err) {
    const { code, message } = describeFailure(err);
    io.stderr.write(`genesys-enricher inspect: ${message}\n`);
    return code;
  }
}
