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
  readonly onStarted?: (daemon: Daemon) => void;
  readonly onStopped?: (daemon: Daemon) => Promise<void> | void;
}

/** Starts the daemon and serves signals until a stop; shared by `run` and `sandbox`. */
export async function runDaemonUntilSignal(
  config: EnricherConfig,
  deps: DaemonDeps,
  logger: Logger & { close?: () => Promise<void> },
  opts: RunOptions = {},
): Promise<number> {
  // Signal handlers go in before start-up: a SIGHUP (logrotate, `systemctl reload`) or SIGTERM
  // arriving while the daemon starts must not kill it with the default action.
  const abort = new AbortController();
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      abort.abort();
      resolve(signal);
    };
    process.once('SIGTERM', () => { stop('SIGTERM'); });
    process.once('SIGINT', () => { stop('SIGINT'); });
  });
  // Written by the SIGHUP handler and by start-up: an object, so both see the same fields.
  const hup: { daemon?: Daemon; pending: boolean } = { pending: false };
  let reloading = Promise.resolve();
  const reload = (d: Daemon): void => {
    // Reloads run one after another, never overlapping.
    reloading = reloading.then(async () => {
      // The audit file is reopened first and whatever happens next: logrotate has already moved
      // it, and writing on into the moved file would lose lines at the next rotation.
      await d.reopenAudit().catch((err: unknown) => {
        logger.error('audit file could not be reopened', { component: 'daemon', error: describeFailure(err).message });
      });
      try {
        await d.reload(opts.reload ? await opts.reload() : d.config);
      } catch (err) {
        logger.error('config reload rejected; the running config stays', { component: 'daemon', error: describeFailure(err).message });
      }
    });
  };
  const onHup = (): void => {
    if (hup.daemon) reload(hup.daemon);
    else hup.pending = true;
  };
  process.on('SIGHUP', onHup);
  const started = Daemon.start(config, { ...deps, signal: abort.signal }, opts.overrides);
  const first = await Promise.race([started.then(() => 'started' as const), stopSignal]);
  let daemon: Daemon;
  try {
    daemon = await started;
  } catch (err) {
    // Stopped while start-up was still waiting for Genesys: a clean stop, not a failure.
    if (first === 'started') throw err;
    logger.info('stopped during start-up', { component: 'daemon', signal: first });
    await logger.close?.();
    return 0;
  }
  hup.daemon = daemon;
  opts.onStarted?.(daemon);
  if (hup.pending) reload(daemon);
  const signal = first === 'started' ? await stopSignal : first;
  logger.info('stopping', { component: 'daemon', signal });
  const hard = (): void => process.exit(1);
  process.once('SIGTERM', hard);
  process.once('SIGINT', hard);
  process.off('SIGHUP', onHup);
  // A reload stuck on an unreachable API must not hold the stop forever.
  await Promise.race([reloading, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
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
