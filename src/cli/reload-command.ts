/**
 * `genesys-enricher reload --pid PID`: what the systemd unit's ExecReload runs. Sends SIGHUP and
 * waits for the daemon to write the outcome to the reload status file; exits 0 when the new config
 * was applied and 1 (with the reason) when it was rejected or no answer came, so that
 * `systemctl reload` reports a rejected reload as a failure.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EnricherError } from '../errors.js';
import { EXIT } from './exit.js';
import type { CommandIo } from './io.js';
import { readReloadStatus } from './reload-status.js';

export interface ReloadCommandOptions {
  readonly pid: number;
  readonly statusFile: string;
  /** How long to wait for the outcome (a reload resolves queues and the flow with Genesys). */
  readonly timeoutMs: number;
}

/** What the command needs from the process (a fake in tests). */
export interface ReloadDeps {
  readonly kill: (pid: number, signal: NodeJS.Signals) => void;
  readonly pollMs?: number;
}

/** No answer from the daemon. */
export class ReloadWaitError extends EnricherError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('cli.reload', message, options);
  }
}

/** Signals the daemon and waits for the outcome; resolves with the exit code. */
export async function reloadCommand(opts: ReloadCommandOptions, io: CommandIo, deps: ReloadDeps = { kill: process.kill.bind(process) }): Promise<number> {
  const before = readReloadStatus(opts.statusFile);
  // A status of another (earlier) process says nothing about this one: wait for its first reload.
  const seen = before?.pid === opts.pid ? before.reloads : 0;
  try {
    deps.kill(opts.pid, 'SIGHUP');
  } catch (err) {
    throw new ReloadWaitError(`cannot signal process ${opts.pid} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  const deadline = Date.now() + opts.timeoutMs;
  const pollMs = deps.pollMs ?? 100;
  for (;;) {
    const now = readReloadStatus(opts.statusFile);
    if (now !== undefined && now.pid === opts.pid && now.reloads > seen) {
      if (now.ok) {
        io.stdout.write('config reloaded\n');
        return EXIT.ok;
      }
      io.stderr.write(`genesys-enricher: reload rejected, the running config stays: ${now.error ?? 'no reason given'}\n`);
      return EXIT.runtime;
    }
    if (Date.now() >= deadline) throw new ReloadWaitError(`no reload outcome from process ${opts.pid} in ${Math.round(opts.timeoutMs / 1000)} s (status file ${opts.statusFile})`);
    await sleep(pollMs);
  }
}
