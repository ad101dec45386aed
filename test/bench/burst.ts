/**
 * A burst of new conversations against the rate budget: 2,000 conversations arrive at once, the
 * daemon (everything real, in this process) has 300 requests per window, and the sandbox enforces
 * the same budget per token. The clock is scaled: the window is 60 s / `clockScale` on both sides,
 * and conversations play `clockScale` times faster than life, so the run takes seconds. What does
 * not scale is the time one call takes, so the daemon gets more calls in flight (the config's
 * `maxConcurrentRequests`, set by the caller) to be able to reach the scaled rate. Reported: the
 * rate achieved while the backlog drained, against the budget, and every 429. Run it on a fresh
 * sandbox: the catch-up query at start-up would otherwise fetch leftovers of earlier runs.
 */
import type { EnricherConfig } from '../../src/config/index.js';
import type { CallRecord } from '../../src/sandbox/http/server.js';
import type { AuditLine } from '../../src/sinks/audit.js';
import { startDaemon } from './daemon-harness.js';
import type { ChildClient } from './ipc.js';
import type { SandboxCommands } from './protocol.js';
import { round, sleep, until } from './stats.js';

/** Settings of the burst benchmark. */
export const BURST_DEFAULTS = {
  conversations: 2_000,
  budget: 300,
  /** 60 s / 40 = a 1.5 s window. */
  clockScale: 40,
  arrivalsPerSec: 2_000,
  maxRunMs: 60_000,
} as const;

export interface BurstResult {
  readonly conversations: number;
  readonly budget: number;
  readonly windowMs: number;
  readonly clockScale: number;
  /** Calls during the burst (from the first after the arrivals began to the last), by endpoint. */
  readonly calls: number;
  readonly callsByEndpoint: Readonly<Record<string, number>>;
  readonly callsByStatus: Readonly<Record<string, number>>;
  readonly drainMs: number;
  /**
   * The longest stretch in which calls were waiting for the budget (sampled every 50 ms), the calls
   * the sandbox saw in it, their rate per budget window, and that as a share of the budget.
   */
  readonly backlogMs: number;
  readonly backlogCalls: number;
  readonly achievedPerWindow: number;
  readonly budgetUse: number;
  /** Calls per window over the whole burst (lower: the conversations reach their agents spread out). */
  readonly overallPerWindow: number;
  /** Calls in consecutive windows from the first call of the burst. */
  readonly perWindow: readonly number[];
  /** Most calls in any window-long stretch (sliding, so it can exceed a fixed-window budget by jitter). */
  readonly peakPerSlidingWindow: number;
  /** 429s the sandbox answered (the daemon's own making: no 429 was injected). */
  readonly selfInflicted429: number;
  readonly decisions: Readonly<Record<string, number>>;
}

export async function benchBurst(sandbox: ChildClient<SandboxCommands>, config: EnricherConfig): Promise<BurstResult> {
  const o = BURST_DEFAULTS;
  const windowMs = 60_000 / o.clockScale;
  await sandbox.request('configureLimiter', { limit: o.budget, windowMs });
  const decisions: AuditLine[] = [];
  const daemon = await startDaemon(config, { deps: { onDecision: (line) => decisions.push(line) }, overrides: { windowMs } });
  try {
    // Start-up calls share the budget: let their window pass so the burst starts from a full one.
    await sleep(windowMs);
    const c0 = await sandbox.request('counters', null);
    // Conversations waiting for a worker, or calls for the limiter: more work than the budget lets through.
    const backlog = trackBacklog(() => daemon.enricher.depth > 0 || daemon.genesys.queued() > 0);
    await sandbox.request('trafficPlay', { count: o.conversations, opts: { ratePerSec: o.arrivalsPerSec, speed: o.clockScale, seed: 9 } });
    let lastCalls = -1;
    let quietSince = performance.now();
    await until(async () => {
      const c = await sandbox.request('counters', null);
      if (c.calls !== lastCalls) {
        lastCalls = c.calls;
        quietSince = performance.now();
      }
      const idle = daemon.enricher.depth === 0 && daemon.genesys.queued() === 0;
      return c.trafficStarted >= c0.trafficStarted + o.conversations && idle && performance.now() - quietSince > windowMs;
    }, o.maxRunMs, 100);
    const stretch = backlog.stop();
    const c1 = await sandbox.request('counters', null);
    const calls = await sandbox.request('calls', { from: c0.calls });
    await sandbox.request('trafficStop', null);
    return summarise(calls, windowMs, c1.limited - c0.limited, decisions, stretch);
  } finally {
    await daemon.stop();
    await sandbox.request('configureLimiter', { limit: 1_000_000, windowMs: 60_000 });
  }
}

/** Samples `waiting()` every 50 ms; `stop()` gives the longest stretch (epoch ms) in which it held. */
function trackBacklog(waiting: () => boolean): { stop: () => { from: number; to: number } } {
  let best = { from: 0, to: 0 };
  let from: number | undefined;
  const timer = setInterval(() => {
    const now = Date.now();
    if (waiting()) {
      from ??= now;
      if (now - from > best.to - best.from) best = { from, to: now };
    } else {
      from = undefined;
    }
  }, 50);
  return {
    stop: () => {
      clearInterval(timer);
      return best;
    },
  };
}

function summarise(calls: readonly CallRecord[], windowMs: number, limited: number, decisions: readonly AuditLine[], backlog: { from: number; to: number }): BurstResult {
  const o = BURST_DEFAULTS;
  const callsByEndpoint: Record<string, number> = {};
  const callsByStatus: Record<string, number> = {};
  for (const c of calls) {
    callsByEndpoint[`${c.method} ${c.endpoint}`] = (callsByEndpoint[`${c.method} ${c.endpoint}`] ?? 0) + 1;
    callsByStatus[String(c.status)] = (callsByStatus[String(c.status)] ?? 0) + 1;
  }
  const times = calls.map((c) => c.at).sort((a, b) => a - b);
  const first = times[0] ?? 0;
  const last = times[times.length - 1] ?? 0;
  const drainMs = last - first;
  const perWindow = (n: number, ms: number): number => (ms > 0 ? (n / ms) * windowMs : 0);
  const backlogMs = backlog.to - backlog.from;
  const backlogCalls = times.filter((t) => t >= backlog.from && t < backlog.to).length;
  const achievedPerWindow = perWindow(backlogCalls, backlogMs);
  const series: number[] = [];
  for (const t of times) {
    const w = Math.floor((t - first) / windowMs);
    while (series.length <= w) series.push(0);
    series[w] = (series[w] ?? 0) + 1;
  }
  let peak = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= windowMs) j++;
    peak = Math.max(peak, i - j + 1);
  }
  const byReason: Record<string, number> = {};
  for (const d of decisions) {
    const key = d.event === 'enriched' ? 'enriched' : `${d.event}:${d.reason ?? '?'}`;
    byReason[key] = (byReason[key] ?? 0) + 1;
  }
  return {
    conversations: o.conversations,
    budget: o.budget,
    windowMs,
    clockScale: o.clockScale,
    calls: calls.length,
    callsByEndpoint,
    callsByStatus,
    drainMs,
    backlogMs,
    backlogCalls,
    achievedPerWindow: round(achievedPerWindow, 1),
    budgetUse: round(achievedPerWindow / o.budget, 3),
    // n calls spaced over drainMs: n - 1 intervals.
    overallPerWindow: round(perWindow(times.length - 1, drainMs), 1),
    perWindow: series,
    peakPerSlidingWindow: peak,
    selfInflicted429: Math.max(limited, calls.filter((c) => c.status === 429).length),
    decisions: byReason,
  };
}
