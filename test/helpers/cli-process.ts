/** Runs the built CLI as a child process and captures what it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.js';

export const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  /** Waits until stderr or stdout matches. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Starts `node dist/src/cli.js ...args`; the build must exist (`npm test` builds first). */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, NO_PROXY: '127.0.0.1,localhost', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => { resolve(code ?? signal ?? -1); });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitForOutput(pattern, timeoutMs = 15_000) {
      const seen = waitFor(() => pattern.test(out) || pattern.test(err), { timeoutMs, what: `output ${String(pattern)}` });
      const died = exited.then((code) => {
        throw new Error(`the process exited with ${String(code)} before printing ${String(pattern)}`);
      });
      try {
        await Promise.race([seen, died]);
      } catch (e) {
        throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- stderr ---\n${err.slice(-3000)}`, { cause: e });
      } finally {
        died.catch(() => undefined);
        seen.catch(() => undefined);
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the CLI to completion. */
export async function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const p = startCli(args, env);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}
