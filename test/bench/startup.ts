/**
 * Start-up: the built CLI (`genesys-enricher run --config FILE`) as a child process against the
 * sandbox, timed from the spawn to its "daemon started" log line, which it writes once every
 * channel is subscribed and open and the flow schema is loaded. Each run is stopped with SIGTERM.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchConfigYaml, type BenchConfigOptions } from './config.js';
import { percentile, round } from './stats.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

export interface StartupResult {
  readonly requestsPerMinute: number;
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  readonly minMs: number;
}

async function startOnce(configFile: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'run', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_PROXY: '127.0.0.1,localhost' },
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => {
        reject(new Error(`no "daemon started" within ${timeoutMs} ms; output ends: ${output.slice(-500)}`));
      }, timeoutMs);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('daemon started')) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the CLI exited (${String(code)}) before starting; output ends: ${output.slice(-500)}`));
      });
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  }
}

/** Starts the CLI `runs` times, one after another. */
export async function benchStartup(config: Omit<BenchConfigOptions, 'logLevel'>, dir: string, runs: number): Promise<StartupResult> {
  const file = join(dir, `startup-${config.requestsPerMinute}.yaml`);
  writeFileSync(file, benchConfigYaml({ ...config, logLevel: 'info' }));
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) runsMs.push(round(await startOnce(file, 20_000), 0));
  return { requestsPerMinute: config.requestsPerMinute, runsMs, medianMs: percentile(runsMs, 50), minMs: Math.min(...runsMs) };
}
