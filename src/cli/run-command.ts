/**
 * `genesys-enricher run --config FILE`: the daemon under systemd or pm2.
 * - SIGTERM/SIGINT: stop taking new work, let in-flight enrichments finish (up to
 *   `pipeline.drainTimeoutMs`), flush the audit file, close channels, exit 0. A second signal
 *   exits at once with 1.
 * - SIGHUP: reload the config file (an invalid one is rejected with a log line and the running
 *   config stays) and reopen the audit file (for logrotate).
 */
import { loadConfig, parseListen, type EnricherConfig } from '../config/index.js';
import { Daemon, type DaemonDeps, type DaemonOverrides } from '../daemon.js';
import type { Logger } from '../log.js';
import { createLogger } from '../sinks/logger.js';
import { describeFailure, UsageError } from './exit.js';

/** Runs until a stop signal; resolves with the exit code. */
export async function runCommand(configFile: string, opts: { overrides?: DaemonOverrides; httpListen?: string } = {}): Promise<number> {
  const load = async (): Promise<EnricherConfig> => withHttpListen(await loadConfig(configFile), opts.httpListen);
  const config = await load();
  const logger = createLogger(config.log);
  for (const warning of config.warnings ?? []) logger.warn(warning, { component: 'config' });
  return runDaemonUntilSignal(config, { logger }, logger, { ...(opts.overrides && { overrides: opts.overrides }), reload: load });
}

export interface RunOptions {
  readonly overrides?: DaemonOverrides;
  /** Re-reads the config for SIGHUP; without it SIGHUP only reopens the audit file. */
  readonly reload?: () => Promise<EnricherConfig>;
  readonly onStopped?: (daemon: Daemon) => Promise<void> | void;
}

/** Starts the daemon and serves signals until a stop; shared by `run` and `sandbox`. */
export async function runDaemonUntilSignal(
  config: EnricherConfig,
  deps: DaemonDeps,
  logger: Logger & { close?: () => Promise<void> },
  opts: RunOptions = {},
): Promise<number> {
  const daemon = await Daemon.start(config, deps, opts.overrides);
  let reloading = Promise.resolve();
  const onHup = (): void => {
    // Reloads run one after another, never overlapping.
    reloading = reloading.then(async () => {
      try {
        await daemon.reload(opts.reload ? await opts.reload() : daemon.config);
      } catch (err) {
        logger.error('config reload rejected; the running config stays', { error: describeFailure(err).message });
      }
    });
  };
  process.on('SIGHUP', onHup);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => { resolve('SIGTERM'); });
    process.once('SIGINT', () => { resolve('SIGINT'); });
  });
  logger.info('stopping', { signal });
  const hard = (): void => process.exit(1);
  process.once('SIGTERM', hard);
  process.once('SIGINT', hard);
  process.off('SIGHUP', onHup);
  await reloading;
  await daemon.stop();
  await opts.onStopped?.(daemon);
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
