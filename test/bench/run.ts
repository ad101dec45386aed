/**
 * `npm run bench [-- --json FILE] [--only startup,ingest,latency,burst,memory,soak] [--memory-crm real|stub]`:
 * the daemon's benchmarks (issue #5), not part of `npm test`. The sandbox and the fake CRM run in
 * a child process (a fresh one for each live-traffic section, so that no section sees another's
 * conversations); the daemon runs in this process (ingest, latency, burst), in a child of its own
 * (memory), or as the built CLI (start-up). Prints a table; `--json` writes the same figures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchBurst } from './burst.js';
import { benchConfig, type BenchConfigOptions } from './config.js';
import { benchIngest } from './ingest.js';
import { ChildClient } from './ipc.js';
import { benchLive } from './live.js';
import { benchMemory, soakFigures } from './memory.js';
import type { SandboxCommands, SandboxInfo } from './protocol.js';
import { formatTable, machineInfo, toRecord, type Results } from './report.js';
import { benchStartup } from './startup.js';
import { round } from './stats.js';

const SECTIONS = ['startup', 'ingest', 'latency', 'burst', 'memory', 'soak'] as const;
type Section = (typeof SECTIONS)[number];

/** Sizes of the runs, defined once. */
const BENCH = {
  /** One pass of the firehose: natural lifecycles, about five snapshots per conversation. */
  framesPerPass: 125_000,
  conversationsPerPass: 25_000,
  ingestRounds: 3,
  /** 8 passes: 1,000,000 frames over 200,000 conversations. */
  memoryPasses: 8,
  /** 40 passes: 5,000,000 frames over 1,000,000 conversations, RSS sampled after each. */
  soakPasses: 40,
  startupRuns: 3,
  /** The default budget, and one high enough that the limiter's spacing does not show. */
  startupBudgets: [300, 10_000],
} as const;

interface Cli {
  readonly json: string | undefined;
  readonly only: ReadonlySet<Section>;
  readonly memoryCrm: 'real' | 'stub';
}

function parseCli(): Cli {
  const { values } = parseArgs({ options: { json: { type: 'string' }, only: { type: 'string' }, 'memory-crm': { type: 'string', default: 'real' } } });
  const only = new Set<Section>();
  for (const name of (values.only ?? SECTIONS.join(',')).split(',')) {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--only: unknown section '${name}' (known: ${SECTIONS.join(', ')})`);
    only.add(name as Section);
  }
  const memoryCrm = values['memory-crm'];
  if (memoryCrm !== 'real' && memoryCrm !== 'stub') throw new Error('--memory-crm must be real or stub');
  return { json: values.json, only, memoryCrm };
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

const SANDBOX_CHILD = fileURLToPath(new URL('./sandbox-child.js', import.meta.url));

/** Runs `fn` against a fresh sandbox child, stopped afterwards. */
async function withSandbox<T>(fn: (sandbox: ChildClient<SandboxCommands>, info: SandboxInfo) => Promise<T>): Promise<T> {
  const sandbox = ChildClient.fork<SandboxCommands>(SANDBOX_CHILD, 'sandbox', ['--max-old-space-size=4096']);
  try {
    const info = await sandbox.request('start', { requestsPerMinute: 1_000_000, rateWindowMs: 60_000, heartbeatIntervalMs: 30_000 });
    return await fn(sandbox, info);
  } finally {
    await sandbox.close();
  }
}

type BaseConfig = Omit<BenchConfigOptions, 'requestsPerMinute' | 'maxConcurrentRequests'>;

async function runSections(cli: Cli, dir: string): Promise<Results> {
  const results: Results = {};
  const base = (info: SandboxInfo): BaseConfig => ({ gatewayUrl: info.url, crmUrl: info.crmUrl, auditFile: join(dir, 'audit.jsonl'), drainTimeoutMs: 500 });
  const { only } = cli;
  if (only.has('startup') || only.has('ingest') || only.has('memory') || only.has('soak')) {
    await withSandbox(async (sandbox, info) => {
      if (only.has('startup')) {
        const startup = [];
        for (const budget of BENCH.startupBudgets) {
          log(`start-up: the built CLI against the sandbox, ${budget} requests per minute`);
          startup.push(await benchStartup({ ...base(info), requestsPerMinute: budget, maxConcurrentRequests: 10 }, dir, BENCH.startupRuns));
        }
        results.startup = startup;
      }
      if (!only.has('ingest') && !only.has('memory') && !only.has('soak')) return;
      log(`building ${BENCH.framesPerPass.toLocaleString('en-US')} firehose frames in the sandbox`);
      const built = await sandbox.request('buildFrames', { count: BENCH.framesPerPass, conversations: BENCH.conversationsPerPass, seed: 1 });
      log(`${built.frames} frames, ${built.avgBytes} bytes on average, built in ${built.ms} ms`);
      if (only.has('ingest')) {
        log('ingest: bare client and daemon, interleaved');
        results.ingest = await benchIngest(sandbox, info.url, benchConfig({ ...base(info), requestsPerMinute: 300, maxConcurrentRequests: 10 }), {
          frames: BENCH.framesPerPass,
          conversations: BENCH.conversationsPerPass,
          rounds: BENCH.ingestRounds,
          firstPass: 100,
        });
      }
      if (only.has('memory')) {
        log(`memory: ${BENCH.memoryPasses} passes of ${BENCH.framesPerPass.toLocaleString('en-US')} frames, CRM ${cli.memoryCrm}`);
        results.memory = await benchMemory(sandbox, info, {
          framesPerPass: BENCH.framesPerPass,
          conversationsPerPass: BENCH.conversationsPerPass,
          passes: BENCH.memoryPasses,
          firstPass: 1,
          crm: cli.memoryCrm,
        });
      }
      if (only.has('soak')) {
        log(`soak: ${BENCH.soakPasses} passes of ${BENCH.framesPerPass.toLocaleString('en-US')} frames, CRM ${cli.memoryCrm}`);
        results.soak = soakFigures(
          await benchMemory(sandbox, info, {
            framesPerPass: BENCH.framesPerPass,
            conversationsPerPass: BENCH.conversationsPerPass,
            passes: BENCH.soakPasses,
            // Fresh conversation ids: after the memory section's passes.
            firstPass: 1_000,
            crm: cli.memoryCrm,
          }),
        );
      }
    });
  }
  if (only.has('latency')) {
    log('latency and API economy: live traffic at 200 new conversations per second');
    results.live = await withSandbox((sandbox, info) => benchLive(sandbox, benchConfig({ ...base(info), requestsPerMinute: 10_000, maxConcurrentRequests: 50 })));
  }
  if (only.has('burst')) {
    log('burst: 2,000 conversations under a budget of 300 per (scaled) minute');
    results.burst = await withSandbox((sandbox, info) => benchBurst(sandbox, benchConfig({ ...base(info), requestsPerMinute: 300, maxConcurrentRequests: 50 })));
  }
  return results;
}

async function main(): Promise<void> {
  const cli = parseCli();
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  log(`${machine.nproc} cores, ${machine.cpu}, node ${machine.node}, load ${machine.loadStart}`);
  const dir = mkdtempSync(join(tmpdir(), 'genesys-enricher-bench-'));
  let results: Results;
  try {
    results = await runSections(cli, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  machine.loadEnd = round(loadavg()[0] ?? 0, 2);
  const durationS = round((performance.now() - started) / 1000, 1);
  process.stdout.write(`\n${formatTable(results)}\n\n`);
  process.stdout.write(`${machine.nproc} x ${machine.cpu}, node ${machine.node}; load average ${machine.loadStart} at the start, ${machine.loadEnd} at the end; ${durationS} s\n`);
  if (cli.json !== undefined) {
    const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
    writeFileSync(cli.json, `${JSON.stringify(toRecord(results, machine, { command, startedAt, durationS }), null, 2)}\n`);
    log(`figures written to ${cli.json}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
