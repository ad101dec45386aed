/**
 * `genesys-enricher run --config FILE`: the daemon under systemd or pm2.
 * - SIGTERM/SIGINT: stop taking new work, let in-flight enrichments finish (up to
 *   `pipeline.drainTimeoutMs`), flush the audit file, close channels, close the log last, exit 0.
 *   During start-up every wait gives up at once and the process exits 0. A second signal exits
 *   at once with 1.
 * - SIGHUP: reload the config file (an invalid one is rejected with a log line and the running
 *   config stays); the outcome goes to the reload status file when one is configured
 *   (reload-status.ts), where `genesys-enricher reload` waits for it.
 * - SIGUSR1: reopen the audit file (logrotate's signal), nothing else: a nightly rotation never
 *   re-reads a config someone is still editing.
 * Signals during start-up are held until the daemon runs. Handlers are installed by the CLI
 * before anything slow (stop-signals.ts).
 */
import { loadConfig, parseListen, type EnricherConfig } from '../config/index.js';
import { Daemon, type DaemonDeps, type DaemonOverrides } from '../daemon.js';
import { abortable, StartupAbortedError } from '../daemon/bounded.js';
import type { Logger } from '../log.js';
import { buildInfo } from '../ops/build-info.js';
import { createLogger } from '../sinks/logger.js';
import { describeFailure, UsageError } from './exit.js';
import { ReportedFailure } from './reported-failure.js';
import { fatalIsJson, fatalLine } from './fatal.js';
import type { LogOverrides } from './log-options.js';
import { writeReloadStatus } from './reload-status.js';
import { processStopSignals, type StopSignals } from './stop-signals.js';

/** Runs until a stop signal; resolves with the exit code. */
export async function runCommand(
  configFile: string,
  opts: { overrides?: DaemonOverrides; httpListen?: string; signals?: StopSignals; log?: LogOverrides; dryRun?: boolean; statusFile?: string } = {},
): Promise<number> {
  const signals = opts.signals ?? processStopSignals();
  const load = async (): Promise<EnricherConfig> => withLog(withHttpListen(await loadConfig(configFile), opts.httpListen), opts.log);
  let config: EnricherConfig;
  try {
    config = await abortable(load(), signals.stop);
  } catch (err) {
    // Stopped while the config was read: nothing started yet, nothing to stop (and no log yet).
    if (err instanceof StartupAbortedError) {
      const message = `stopped by ${await signals.stopped} while reading the config`;
      process.stderr.write(fatalIsJson(opts.log?.format, process.stderr.isTTY) ? `${JSON.stringify({ level: 'info', message, component: 'cli', timestamp: new Date().toISOString() })}\n` : `genesys-enricher: ${message}\n`);
      return 0;
    }
    throw err;
  }
  const logger = createLogger(config.log);
  const build = buildInfo();
  logger.info('genesys-enricher starting', { component: 'cli', version: build.version, node: build.node, pid: process.pid, configFile, dryRun: opts.dryRun === true });
  for (const warning of config.warnings ?? []) logger.warn(warning, { component: 'config' });
  if (opts.dryRun === true) logger.warn('dry run: nothing is written to Genesys; decisions are audited as would-enrich', { component: 'daemon' });
  try {
    return await runDaemonUntilSignal(config, { logger, ...(opts.dryRun === true && { dryRun: true }) }, logger, {
      ...(opts.overrides && { overrides: opts.overrides }),
      ...(opts.statusFile !== undefined && { statusFile: opts.statusFile }),
      reload: load,
      signals,
    });
  } catch (err) {
    // The last line goes through the log, in its format (a pretty log stays pretty, JSON stays JSON).
    const { code, message } = describeFailure(err);
    logger.error('fatal', { component: 'cli', error: message, exitCode: code });
    await logger.close();
    throw new ReportedFailure(code, { cause: err });
  }
}

export interface RunOptions {
  readonly overrides?: DaemonOverrides;
  /** Re-reads the config for SIGHUP; without it SIGHUP re-applies the running config. */
  readonly reload?: () => Promise<EnricherConfig>;
  /** Where each reload's outcome is written (reload-status.ts); none when undefined. */
  readonly statusFile?: string;
  readonly onStarted?: (daemon: Daemon) => void;
  readonly onStopped?: (daemon: Daemon) => Promise<void> | void;
  /** The process's stop and reload signals (installed at the start of the CLI). */
  readonly signals?: StopSignals;
  /** Ends the process when a stop overruns its deadline; `process.exit(0)` by default. */
  readonly forceExit?: () => void;
}

/** What a stop may take beyond `pipeline.drainTimeoutMs` before the process ends anyway. */
export const STOP_MARGIN_MS = 8_000;

/** Starts the daemon and serves signals until a stop; shared by `run` and `sandbox`. */
export async function runDaemonUntilSignal(
  config: EnricherConfig,
  deps: DaemonDeps,
  logger: Logger & { close?: () => Promise<void> },
  opts: RunOptions = {},
): Promise<number> {
  // The CLI installed these before anything slow; a SIGHUP during start-up waits for the daemon.
  const signals = opts.signals ?? processStopSignals();
  let reloading = Promise.resolve();
  let reloads = 0;
  const status = (ok: boolean, error?: string): void => {
    if (opts.statusFile === undefined) return;
    try {
      writeReloadStatus(opts.statusFile, { pid: process.pid, reloads, ok, at: new Date().toISOString(), ...(error !== undefined && { error }) });
    } catch (err) {
      logger.warn('reload status file could not be written', { component: 'daemon', error: describeFailure(err).message });
    }
  };
  const reload = (d: Daemon): void => {
    // Reloads run one after another, never overlapping.
    reloading = reloading.then(async () => {
      if (signals.stop.aborted) return;
      try {
        await d.reload(opts.reload ? await opts.reload() : d.config);
        reloads++;
        status(true);
      } catch (err) {
        const message = describeFailure(err).message;
        logger.error('config reload rejected; the running config stays', { component: 'daemon', error: message });
        reloads++;
        status(false, message);
      }
    });
  };
  const reopen = (d: Daemon): void => {
    // In line with reloads: a reload that switches audit.file and a reopen never interleave.
    reloading = reloading.then(async () => {
      try {
        await d.reopenAudit();
        logger.info('audit file reopened', { component: 'daemon' });
      } catch (err) {
        logger.error('audit file could not be reopened', { component: 'daemon', error: describeFailure(err).message });
      }
    });
  };
  const started = Daemon.start(config, { ...deps, signal: signals.stop }, opts.overrides);
  let daemon: Daemon;
  try {
    daemon = await started;
  } catch (err) {
    if (!signals.stop.aborted) throw err;
    // Stopped while start-up was still waiting: a clean stop, not a failure.
    logger.info('stopped during start-up', { component: 'daemon', signal: await signals.stopped });
    await logger.close?.();
    return 0;
  }
  opts.onStarted?.(daemon);
  // Before the handlers: `reload` reads the pid and count from here before it signals.
  status(true);
  signals.onHup(() => {
    reload(daemon);
  });
  signals.onUsr1(() => {
    reopen(daemon);
  });
  const signal = await signals.stopped;
  signals.onHup(undefined);
  signals.onUsr1(undefined);
  logger.info('stopping', { component: 'daemon', signal });
  // Whatever Genesys, the CRM or the webhook do, the process ends: every stop step is bounded,
  // and this is the net under them.
  const forceExit = opts.forceExit ?? ((): void => process.exit(0));
  const overrun = setTimeout(() => {
    // Written directly: the process ends right after, before the logger could flush a line.
    process.stderr.write(fatalLine('the stop overran its deadline; exiting', 0, fatalIsJson(config.log.format, process.stderr.isTTY)));
    forceExit();
  }, config.pipeline.drainTimeoutMs + STOP_MARGIN_MS);
  overrun.unref();
  // A reload stuck on an unreachable API must not hold the stop forever.
  await Promise.race([reloading, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  await daemon.stop();
  await opts.onStopped?.(daemon);
  // Last: every component has stopped, nothing of theirs logs any more.
  await logger.close?.();
  clearTimeout(overrun);
  return 0;
}

/** Applies `--log-level` / `--log-format` (or their environment variables) over the file's `log`. */
export function withLog(config: EnricherConfig, log: LogOverrides | undefined): EnricherConfig {
  if (log === undefined || (log.level === undefined && log.format === undefined)) return config;
  return { ...config, log: { ...config.log, ...log } };
}

/** Applies `--http-listen HOST:PORT` (or `off`) over the config file's `http.listen`. */
export function withHttpListen(config: EnricherConfig, listen: string | undefined): EnricherConfig {
  if (listen === undefined) return config;
  const parsed = parseListen(listen);
  if (parsed === undefined) throw new UsageError('--http-listen must be HOST:PORT or "off"');
  return { ...config, http: { listen: parsed } };
}
