/**
 * `genesys-enricher run --config FILE`: the daemon under systemd or pm2. SIGTERM/SIGINT stop it
 * cleanly (in-flight enrichments finish, the audit file is flushed) and exit 0.
 */
import { loadConfig, parseListen, type EnricherConfig } from '../config/index.js';
import { UsageError } from './exit.js';
import { Daemon, type DaemonDeps, type DaemonOverrides } from '../daemon.js';
import type { Logger } from '../log.js';
import { createLogger } from '../sinks/logger.js';

/** Runs until a stop signal; resolves with the exit code. */
export async function runCommand(configFile: string, opts: { overrides?: DaemonOverrides; httpListen?: string } = {}): Promise<number> {
  const config = withHttpListen(await loadConfig(configFile), opts.httpListen);
  const logger = createLogger(config.log);
  for (const warning of config.warnings ?? []) logger.warn(warning, { component: 'config' });
  return runDaemonUntilSignal(config, { logger }, logger, opts.overrides);
}

/** Starts the daemon and stops it on SIGTERM/SIGINT; shared by `run` and `sandbox`. */
export async function runDaemonUntilSignal(
  config: EnricherConfig,
  deps: DaemonDeps,
  logger: Logger & { close?: () => Promise<void> },
  overrides?: DaemonOverrides,
  onStopped?: (daemon: Daemon) => Promise<void> | void,
): Promise<number> {
  const daemon = await Daemon.start(config, deps, overrides);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => { resolve('SIGTERM'); });
    process.once('SIGINT', () => { resolve('SIGINT'); });
  });
  logger.info('stopping', { signal });
  // A second signal while draining means "now".
  const hard = (): void => process.exit(1);
  process.once('SIGTERM', hard);
  process.once('SIGINT', hard);
  await daemon.stop();
  await onStopped?.(daemon);
  await logger.close?.();
  return 0;
}

/** Applies `--http-listen HOST:PORT` (or `off`) over the config file's `http.listen`. */
export function withHttpListen(config: EnricherConfig, listen: string | undefined): EnricherConfig {
  if (listen === undefined) return config;
  const parsed = parseListen(listen);
  if (parsed === undefined) throw new UsageError('--http-listen must be HOST:PORT or "off"');
  return { ...config, http: { listen: parsed } };
}
