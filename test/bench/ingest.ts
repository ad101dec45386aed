/**
 * Ingest: frames per second through the daemon's stream path (socket, parse, route, detect,
 * dedupe, and the work queue behind it) against a bare `ws` client that only runs `JSON.parse`,
 * on the same frames from the same sandbox, runs interleaved, best of each. Both sides are timed
 * in this process from their first frame to their last, in wall-clock and in CPU time.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import type { EnricherConfig } from '../../src/config/index.js';
import { SANDBOX_CLIENT } from '../../src/sandbox/options.js';
import { channelIdOf, startDaemon } from './daemon-harness.js';
import type { ChildClient } from './ipc.js';
import type { SandboxCommands } from './protocol.js';
import { round } from './stats.js';

/** A channel of its own for the bare client, created over the REST API like the daemon's. */
async function openBareChannel(gatewayUrl: string): Promise<{ id: string; connectUri: string }> {
  const basic = Buffer.from(`${SANDBOX_CLIENT.clientId}:${SANDBOX_CLIENT.clientSecret}`).toString('base64');
  const login = await fetch(`${gatewayUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const { access_token: token } = (await login.json()) as { access_token: string };
  const created = await fetch(`${gatewayUrl}/api/v2/notifications/channels`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  return (await created.json()) as { id: string; connectUri: string };
}

/** One timed run: wall-clock and CPU time of this process from the first frame to the last. */
interface Run {
  readonly fps: number;
  /** Frames per CPU-second of this process: what one core would do with nothing else on it. */
  readonly cpuFps: number;
}

/** Times `n` frames; `frame()` is called once per frame and resolves `done` with the run's figures. */
function stopwatch(n: number): { frame: () => void; done: Promise<Run> } {
  let count = 0;
  let firstAt = 0;
  let firstCpu: NodeJS.CpuUsage | undefined;
  let resolve: (run: Run) => void = () => undefined;
  const done = new Promise<Run>((r) => {
    resolve = r;
  });
  return {
    done,
    frame: () => {
      count++;
      if (count === 1) {
        firstAt = performance.now();
        firstCpu = process.cpuUsage();
      } else if (count === n) {
        const cpu = process.cpuUsage(firstCpu);
        const wallMs = performance.now() - firstAt;
        resolve({ fps: (n - 1) / (wallMs / 1000), cpuFps: (n - 1) / ((cpu.user + cpu.system) / 1e6) });
      }
    },
  };
}

/** Times `n` frames by polling a counter every millisecond (costs next to nothing). */
async function pollFrames(count: () => number, n: number): Promise<Run> {
  while (count() < 1) await new Promise((r) => setTimeout(r, 1));
  const firstAt = performance.now();
  const firstCpu = process.cpuUsage();
  while (count() < n) await new Promise((r) => setTimeout(r, 1));
  const cpu = process.cpuUsage(firstCpu);
  const wallMs = performance.now() - firstAt;
  return { fps: (n - 1) / (wallMs / 1000), cpuFps: (n - 1) / ((cpu.user + cpu.system) / 1e6) };
}

async function bareRun(sandbox: ChildClient<SandboxCommands>, gatewayUrl: string, pass: number, n: number): Promise<Run> {
  const channel = await openBareChannel(gatewayUrl);
  const ws = new WebSocket(channel.connectUri);
  await once(ws, 'open');
  let objects = 0;
  const watch = stopwatch(n);
  ws.on('message', (data: Buffer) => {
    const value: unknown = JSON.parse(data.toString());
    if (typeof value === 'object') objects++;
    watch.frame();
  });
  await sandbox.request('firehose', { channelId: channel.id, pass });
  const run = await watch.done;
  ws.close();
  if (objects !== n) throw new Error(`bare client parsed ${objects} objects of ${n}`);
  return run;
}

/** What the daemon did with one run's conversations. */
interface Decided {
  readonly queued: number;
  readonly rejected: number;
  readonly skipped: number;
}

async function daemonRun(sandbox: ChildClient<SandboxCommands>, config: EnricherConfig, pass: number, n: number): Promise<Run & Decided> {
  const daemon = await startDaemon(config);
  try {
    // Counted where every frame lands, parsed or not: the channel's own frame counter (a repeat
    // of a settled conversation is dropped before parsing and never reaches the pipeline).
    const framesSoFar = (): number => daemon.channelStats()[0]?.frames ?? 0;
    const base = framesSoFar();
    const firehose = sandbox.request('firehose', { channelId: channelIdOf(daemon), pass });
    const run = await pollFrames(() => framesSoFar() - base, n);
    await firehose;
    const s = daemon.enricher.summary;
    const rejected = (await daemon.metrics.workQueueRejected.get()).values[0]?.value ?? 0;
    return { ...run, queued: s.seen - s.skipped, rejected, skipped: s.skipped };
  } finally {
    await daemon.stop();
  }
}

/** What the ingest benchmark found. */
export interface IngestResult {
  readonly framesPerRun: number;
  readonly conversationsPerRun: number;
  readonly bare: readonly Run[];
  readonly daemon: readonly Run[];
  /** Best of the runs, wall clock and per CPU-second. */
  readonly bestBareFps: number;
  readonly bestDaemonFps: number;
  readonly bestBareCpuFps: number;
  readonly bestDaemonCpuFps: number;
  /** Daemon / bare, best CPU figures: frames per second on one core. */
  readonly ratio: number;
  readonly wallRatio: number;
  /** The daemon's last run: conversations queued for enrichment, turned away (queue full), skipped. */
  readonly decided: Decided;
}

/**
 * Runs `rounds` interleaved pairs (bare, then daemon) over the sandbox's base frames, each run on
 * a pass of its own (fresh conversation ids). The daemon is the real one with its real CRM client,
 * writer and default budget, as under a flood in production: the work queue fills, and the rest
 * waits for later snapshots.
 */
export async function benchIngest(
  sandbox: ChildClient<SandboxCommands>,
  gatewayUrl: string,
  config: EnricherConfig,
  opts: { frames: number; conversations: number; rounds: number; firstPass: number },
): Promise<IngestResult> {
  const bare: Run[] = [];
  const daemon: Run[] = [];
  let decided: Decided = { queued: 0, rejected: 0, skipped: 0 };
  for (let r = 0; r < opts.rounds; r++) {
    bare.push(await bareRun(sandbox, gatewayUrl, opts.firstPass + 2 * r, opts.frames));
    const d = await daemonRun(sandbox, config, opts.firstPass + 2 * r + 1, opts.frames);
    daemon.push({ fps: d.fps, cpuFps: d.cpuFps });
    decided = { queued: d.queued, rejected: d.rejected, skipped: d.skipped };
  }
  const best = (runs: readonly Run[], key: keyof Run): number => Math.round(Math.max(...runs.map((x) => x[key])));
  const result = {
    bestBareFps: best(bare, 'fps'),
    bestDaemonFps: best(daemon, 'fps'),
    bestBareCpuFps: best(bare, 'cpuFps'),
    bestDaemonCpuFps: best(daemon, 'cpuFps'),
  };
  return {
    framesPerRun: opts.frames,
    conversationsPerRun: opts.conversations,
    bare: bare.map(roundRun),
    daemon: daemon.map(roundRun),
    ...result,
    ratio: round(result.bestDaemonCpuFps / result.bestBareCpuFps, 3),
    wallRatio: round(result.bestDaemonFps / result.bestBareFps, 3),
    decided,
  };
}

function roundRun(r: Run): Run {
  return { fps: Math.round(r.fps), cpuFps: Math.round(r.cpuFps) };
}
