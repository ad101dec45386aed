/** The benchmark's figures: one flat record (the JSON file) and the table printed from it. */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import type { BurstResult } from './burst.js';
import type { IngestResult } from './ingest.js';
import type { LiveResult } from './live.js';
import type { MemoryResult, SoakResult } from './memory.js';
import type { StartupResult } from './startup.js';
import { round } from './stats.js';

/** The machine the figures came from. */
export interface MachineInfo {
  readonly nproc: number;
  readonly cpu: string;
  readonly node: string;
  readonly memoryGb: number;
  /** 1-minute load average at the start and the end: other work on the machine skews the figures. */
  readonly loadStart: number;
  loadEnd?: number;
}

export function machineInfo(): MachineInfo {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    loadStart: round(loadavg()[0] ?? 0, 2),
  };
}

/** Every section's result, as far as it ran. */
export interface Results {
  ingest?: IngestResult;
  live?: LiveResult;
  burst?: BurstResult;
  memory?: MemoryResult;
  /** The long memory run: 5,000,000 frames over 1,000,000 conversations. */
  soak?: SoakResult;
  /** One result per budget; the first is the default budget (300 per minute). */
  startup?: readonly StartupResult[];
}

/** The JSON record: the keys at the top, the details of each section below them. */
export function toRecord(results: Results, machine: MachineInfo, meta: { command: string; startedAt: string; durationS: number }): Record<string, unknown> {
  const { ingest, live, burst, memory, startup, soak } = results;
  return {
    ingestRatio: ingest?.ratio,
    ingestDaemonFps: ingest?.bestDaemonCpuFps,
    ingestBareFps: ingest?.bestBareCpuFps,
    ingestWallRatio: ingest?.wallRatio,
    latencyP50Ms: live?.latency.p50Ms,
    latencyP99Ms: live?.latency.p99Ms,
    latencyMaxMs: live?.latency.maxMs,
    latencyPipelineP99Ms: live?.latency.pipelineP99Ms,
    latencyClientP50Ms: live?.latency.clientP50Ms,
    callsPerConversation: live?.economy.callsPerConversation,
    crmCallsPerConversation: live?.economy.crmCallsPerConversation,
    burstCallsPerWindow: burst?.achievedPerWindow,
    burstBudgetUse: burst?.budgetUse,
    selfInflicted429: burst?.selfInflicted429,
    rssStartMb: memory?.rssStartMb,
    rssAfterMb: memory?.rssAfterMb,
    rssSoakStartMb: soak?.rssStartMb,
    rssSoakEndMb: soak?.rssSoakEndMb,
    rssSoakLastFifthGrowthMb: soak?.rssSoakLastFifthGrowthMb,
    startupMs: startup?.[0]?.medianMs,
    startupHighBudgetMs: startup?.[1]?.medianMs,
    machine,
    ...meta,
    details: results,
  };
}

type Row = readonly [measure: string, value: string, target: string, met: string];

const yes = (ok: boolean | undefined): string => (ok === undefined ? '' : ok ? 'yes' : 'NO');
const n = (v: number): string => v.toLocaleString('en-US');

function rows(r: Results): Row[] {
  const out: Row[] = [];
  const { ingest, live, burst, memory, startup, soak } = r;
  if (ingest) {
    out.push(
      ['Ingest, daemon (frames per CPU-second)', n(ingest.bestDaemonCpuFps), '', ''],
      ['Ingest, bare ws + JSON.parse (per CPU-second)', n(ingest.bestBareCpuFps), '', ''],
      ['Ingest ratio, daemon / bare (one core)', ingest.ratio.toFixed(2), '>= 0.80', yes(ingest.ratio >= 0.8)],
      ['Ingest wall clock, daemon / bare (frames/s)', `${n(ingest.bestDaemonFps)} / ${n(ingest.bestBareFps)} = ${ingest.wallRatio.toFixed(2)}`, '', ''],
    );
  }
  if (live) {
    const l = live.latency;
    out.push(
      [`Added latency p50 (${live.ratePerSec} new conv/s, CRM cached, n=${l.samples})`, `${l.p50Ms.toFixed(2)} ms`, '', ''],
      ['Added latency p99', `${l.p99Ms.toFixed(2)} ms`, '< 5 ms', yes(l.p99Ms < 5)],
      ['Added latency max', `${l.maxMs.toFixed(2)} ms`, '', ''],
      ['  of which pipeline, frame to write call (p50 / p99)', `${l.pipelineP50Ms.toFixed(2)} / ${l.pipelineP99Ms.toFixed(2)} ms`, '', ''],
      ['  of which Genesys client, limiter + SDK (p50 / p99)', `${l.clientP50Ms.toFixed(2)} / ${l.clientP99Ms.toFixed(2)} ms`, '', ''],
      ['Genesys calls per enriched conversation (steady)', live.economy.callsPerConversation.toFixed(2), '1.00', yes(live.economy.callsPerConversation <= 1.005)],
      [`CRM calls per conversation (${Math.round(live.economy.repeatCustomerShare * 100)}% returning customers)`, live.economy.crmCallsPerConversation.toFixed(2), '', ''],
    );
  }
  if (burst) {
    out.push(
      [`Burst: ${n(burst.conversations)} conversations, budget ${burst.budget} per ${burst.windowMs / 1000} s (clock x${burst.clockScale})`, `${burst.achievedPerWindow} per window with a backlog (${Math.round(burst.budgetUse * 100)}%, ${(burst.backlogMs / 1000).toFixed(1)} s)`, 'at the budget', yes(burst.budgetUse >= 0.95 && burst.budgetUse <= 1.0)],
      ['Burst: calls per window over the whole burst', `${burst.overallPerWindow} (${n(burst.calls)} calls in ${(burst.drainMs / 1000).toFixed(1)} s)`, '', ''],
      ['Burst: 429s of the daemon\'s own making', String(burst.selfInflicted429), '0', yes(burst.selfInflicted429 === 0)],
    );
  }
  if (memory) {
    const series = memory.samples.filter((_, i) => i % 2 === 0).map((s) => `${Math.round(s.frames / 1000)}k:${Math.round(s.rssMb)}`).join(' ');
    out.push(
      [`RSS after start-up (CRM ${memory.crm})`, `${memory.rssStartMb} MB`, '', ''],
      [`RSS after ${n(memory.samples.at(-1)?.frames ?? 0)} frames / ${n(memory.samples.at(-1)?.conversations ?? 0)} conversations`, `${memory.rssAfterMb} MB`, '', ''],
      ['RSS growth, first half / second half of the frames', `${memory.rssGrowthFirstHalfMb} / ${memory.rssGrowthSecondHalfMb} MB`, '', ''],
      ['Heap kept per conversation, second half (dedupe full)', `${n(memory.heapBytesPerConversationSecondHalf)} bytes`, 'levels off (~0)', yes(memory.heapBytesPerConversationSecondHalf < 50)],
      ['RSS by frames (MB)', series, '', ''],
    );
  }
  if (soak) {
    const series = soak.samples.filter((_, i) => i % 5 === 0 || i === soak.samples.length - 1).map((s) => `${Math.round(s.frames / 1000)}k:${Math.round(s.rssMb)}`).join(' ');
    out.push(
      [`Soak: RSS after start-up / after ${n(soak.samples.at(-1)?.frames ?? 0)} frames over ${n(soak.samples.at(-1)?.conversations ?? 0)} conversations`, `${soak.rssStartMb} / ${soak.rssSoakEndMb} MB`, '', ''],
      ['Soak: RSS growth over the last fifth', `${soak.rssSoakLastFifthGrowthMb} MB`, '< 10 MB', yes(soak.rssSoakLastFifthGrowthMb < 10)],
      ['Soak: RSS by frames (MB)', series, '', ''],
    );
  }
  for (const s of startup ?? []) {
    out.push([`Start-up to "daemon started", ${n(s.requestsPerMinute)}/min budget (median of ${s.runsMs.length})`, `${s.medianMs} ms`, '', '']);
  }
  return out;
}

/** The table, as plain text. */
export function formatTable(r: Results): string {
  const all: Row[] = [['Measure', 'Value', 'Target', 'Met'], ...rows(r)];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...all.map((row) => row[i as 0 | 1 | 2 | 3].length)));
  const line = (row: Row): string => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(all[0] as Row), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}
