/**
 * Live traffic against the daemon in this process, everything real (sandbox and fake CRM in the
 * child process): added latency from a snapshot reaching the pipeline to its PATCH leaving the
 * process, and the API economy of steady state (Genesys and CRM calls per conversation).
 *
 * Measuring points: "frame arrives" is the pipeline's own `receivedAt` (taken when the router
 * offers the snapshot, i.e. after the frame's JSON.parse); "PATCH leaves" is the `finish` event of
 * the HTTP request (its last byte handed to the kernel), seen through the `http.client.request.start`
 * diagnostics channel. The budget's spacing is switched off (window 0) so that the limiter does not
 * queue at 200 conversations per second, far above any real budget.
 */
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { EnricherConfig } from '../../src/config/index.js';
import { TRAFFIC_DEFAULTS } from '../../src/sandbox/traffic/options.js';
import type { AuditLine } from '../../src/sinks/audit.js';
import { startDaemon, tapOffers } from './daemon-harness.js';
import type { ChildClient } from './ipc.js';
import type { SandboxCommands, SandboxCounters } from './protocol.js';
import { percentile, round, sleep } from './stats.js';

/** Settings of the live benchmark. */
export const LIVE_DEFAULTS = {
  ratePerSec: 200,
  /** Conversation durations 20 times shorter than life (IVR, queue, talk). */
  speed: 20,
  economyWarmMs: 4_000,
  economyWindowMs: 6_000,
  latencyWarmMs: 2_000,
  latencyWindowMs: 8_000,
  /** Share of returning customers while latency is measured (their CRM answers come from the cache). */
  latencyRepeatShare: 0.95,
} as const;

export interface LiveResult {
  readonly ratePerSec: number;
  readonly speed: number;
  readonly latency: {
    /** Enriched conversations whose CRM answer came from the cache. */
    readonly samples: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly maxMs: number;
    /** The same over every enriched conversation (cache misses wait for the fake CRM). */
    readonly allSamples: number;
    readonly allP99Ms: number;
    /** Cache hits split at the write call: the pipeline (frame to write call), then the Genesys client (limiter, SDK, to the socket). */
    readonly pipelineP50Ms: number;
    readonly pipelineP99Ms: number;
    readonly clientP50Ms: number;
    readonly clientP99Ms: number;
    /** This process's event-loop delay during the window (how busy the core was). */
    readonly eventLoopP99Ms: number;
    /** Share of one core this process used during the window. */
    readonly cpuShare: number;
  };
  readonly economy: {
    readonly windowMs: number;
    readonly enriched: number;
    readonly genesysCalls: number;
    readonly callsByEndpoint: Readonly<Record<string, number>>;
    readonly callsPerConversation: number;
    /** Conversations that needed a CRM answer, requests the CRM saw, and the share of returning customers. */
    readonly crmLookups: number;
    readonly crmRequests: number;
    readonly crmCallsPerConversation: number;
    readonly repeatCustomerShare: number;
    /** How the lookups were answered (`hit` = fresh cache entry). */
    readonly crmOutcomes: Readonly<Record<string, number>>;
  };
}

const PATCH_PATH = /^\/api\/v2\/conversations\/([^/]+)\/participants\/[^/]+\/attributes/;

/** Runs the economy window, then the latency window, on one daemon. */
export async function benchLive(sandbox: ChildClient<SandboxCommands>, config: EnricherConfig): Promise<LiveResult> {
  const o = LIVE_DEFAULTS;
  const decisions: AuditLine[] = [];
  const arrived = new Map<string, number>();
  const left = new Map<string, number>();
  const onRequest = (message: unknown): void => {
    const request = (message as { request: ClientRequest }).request;
    const id = request.method === 'PATCH' ? PATCH_PATH.exec(request.path)?.[1] : undefined;
    if (id !== undefined) request.once('finish', () => left.set(id, performance.now()));
  };
  diagnostics.subscribe('http.client.request.start', onRequest);
  const daemon = await startDaemon(config, { deps: { onDecision: (line) => decisions.push(line) }, overrides: { windowMs: 0 } });
  try {
    tapOffers(daemon.enricher, (id, receivedAt, claimed) => {
      if (claimed && id !== undefined) arrived.set(id, receivedAt);
    });

    await sandbox.request('trafficStart', { ratePerSec: o.ratePerSec, speed: o.speed, seed: 5 });
    await sleep(o.economyWarmMs);
    const c0 = await sandbox.request('counters', null);
    const d0 = decisions.length;
    await sleep(o.economyWindowMs);
    const c1 = await sandbox.request('counters', null);
    const economy = await economyOf(sandbox, c0, c1, decisions.slice(d0));

    await sandbox.request('trafficStart', { ratePerSec: o.ratePerSec, speed: o.speed, seed: 6, repeatCustomerShare: o.latencyRepeatShare });
    await sleep(o.latencyWarmMs);
    const d2 = decisions.length;
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const cpu0 = process.cpuUsage();
    await sleep(o.latencyWindowMs);
    const cpu = process.cpuUsage(cpu0);
    loop.disable();
    const window = decisions.slice(d2).filter((l) => l.event === 'enriched');
    const measured = (lines: AuditLine[]): { total: number; pipeline: number }[] =>
      lines.flatMap((l) => {
        const from = arrived.get(l.conversationId);
        const to = left.get(l.conversationId);
        // The pipeline's own figures: total runs to the end of the write, `write` from its start.
        const pipeline = l.latencyMs.total - (l.latencyMs.write ?? 0);
        return from !== undefined && to !== undefined ? [{ total: to - from, pipeline }] : [];
      });
    const hitParts = measured(window.filter((l) => l.crm === 'cache-hit'));
    const hits = hitParts.map((x) => x.total);
    const pipeline = hitParts.map((x) => x.pipeline);
    const client = hitParts.map((x) => x.total - x.pipeline);
    const all = measured(window).map((x) => x.total);
    await sandbox.request('trafficStop', null);
    return {
      ratePerSec: o.ratePerSec,
      speed: o.speed,
      latency: {
        samples: hits.length,
        p50Ms: round(percentile(hits, 50), 3),
        p99Ms: round(percentile(hits, 99), 3),
        maxMs: round(Math.max(...hits), 3),
        allSamples: all.length,
        allP99Ms: round(percentile(all, 99), 3),
        pipelineP50Ms: round(percentile(pipeline, 50), 3),
        pipelineP99Ms: round(percentile(pipeline, 99), 3),
        clientP50Ms: round(percentile(client, 50), 3),
        clientP99Ms: round(percentile(client, 99), 3),
        eventLoopP99Ms: round(loop.percentile(99) / 1e6, 2),
        cpuShare: round((cpu.user + cpu.system) / 1000 / o.latencyWindowMs, 2),
      },
      economy,
    };
  } finally {
    diagnostics.unsubscribe('http.client.request.start', onRequest);
    await daemon.stop();
  }
}

async function economyOf(sandbox: ChildClient<SandboxCommands>, c0: SandboxCounters, c1: SandboxCounters, lines: readonly AuditLine[]): Promise<LiveResult['economy']> {
  const calls = (await sandbox.request('calls', { from: c0.calls })).slice(0, c1.calls - c0.calls);
  const callsByEndpoint: Record<string, number> = {};
  for (const c of calls) callsByEndpoint[`${c.method} ${c.endpoint}`] = (callsByEndpoint[`${c.method} ${c.endpoint}`] ?? 0) + 1;
  const enriched = lines.filter((l) => l.event === 'enriched').length;
  const crmLookups = lines.filter((l) => l.crm !== undefined).length;
  const crmRequests = c1.crmRequests - c0.crmRequests;
  const crmOutcomes: Record<string, number> = {};
  for (const l of lines) if (l.crm !== undefined) crmOutcomes[l.crm] = (crmOutcomes[l.crm] ?? 0) + 1;
  return {
    windowMs: LIVE_DEFAULTS.economyWindowMs,
    enriched,
    genesysCalls: calls.length,
    callsByEndpoint,
    callsPerConversation: round(calls.length / enriched, 3),
    crmLookups,
    crmRequests,
    crmCallsPerConversation: round(crmRequests / crmLookups, 3),
    repeatCustomerShare: TRAFFIC_DEFAULTS.repeatCustomerShare,
    crmOutcomes,
  };
}
