/** The commands the benchmark's child processes answer (see ipc.ts), typed once for both sides. */
import type { CallRecord } from '../../src/sandbox/http/server.js';
import type { TrafficOptions } from '../../src/sandbox/traffic/generator.js';

/** How the sandbox child starts its org (the subset of SandboxOptions the bench changes). */
export interface SandboxStartArgs {
  readonly requestsPerMinute: number;
  readonly rateWindowMs: number;
  readonly heartbeatIntervalMs: number;
}

/** Where the sandbox child listens. */
export interface SandboxInfo {
  readonly url: string;
  readonly crmUrl: string;
  readonly queueIds: readonly string[];
}

/** Running totals of the sandbox child. */
export interface SandboxCounters {
  /** REST calls (login excluded) and of those, answered 429 by the rate budget. */
  readonly calls: number;
  readonly limited: number;
  /** Attribute writes the org accepted. */
  readonly writes: number;
  /** Requests the fake CRM received. */
  readonly crmRequests: number;
  readonly trafficStarted: number;
  readonly trafficConnected: number;
}

/** Commands of test/bench/sandbox-child.ts. */
export type SandboxCommands = {
  start: { args: SandboxStartArgs; result: SandboxInfo };
  /** Builds the base firehose frames once (kept in the child). */
  buildFrames: { args: { count: number; conversations: number; seed: number }; result: { frames: number; avgBytes: number; ms: number } };
  /** Pushes every base frame once down the channel's socket, conversation ids rewritten for `pass`. */
  firehose: { args: { channelId: string; pass: number }; result: { sent: number; ms: number } };
  trafficStart: { args: TrafficOptions; result: null };
  /** Starts `count` conversations (does not wait for them to end). */
  trafficPlay: { args: { count: number; opts: TrafficOptions }; result: null };
  trafficStop: { args: null; result: null };
  /** Changes the per-token budget (and clears its windows). */
  configureLimiter: { args: { limit: number; windowMs: number }; result: null };
  counters: { args: null; result: SandboxCounters };
  /** REST calls recorded from index `from` on. */
  calls: { args: { from: number }; result: CallRecord[] };
};

/** One memory sample of the daemon child. */
export interface MemorySample {
  readonly rssMb: number;
  readonly heapUsedMb: number;
  /** Where RSS outside the live heap can sit: V8's reserved heap, and memory held by buffers. */
  readonly heapTotalMb: number;
  readonly externalMb: number;
  readonly arrayBuffersMb: number;
  /** Conversations the dedupe remembers, and CRM cache entries. */
  readonly claims: number;
  readonly crmCache: number;
  /** CRM HTTP requests so far. */
  readonly crmRequests: number;
  readonly frames: number;
  readonly seen: number;
  readonly workQueueDepth: number;
}

/** Commands of test/bench/memory-child.ts. */
export type MemoryCommands = {
  /** Starts the daemon against the sandbox (`stubCrm`: CRM answers at once from one record); answers its channel id. */
  start: { args: { sandboxUrl: string; crmUrl: string; stubCrm: boolean }; result: { channelId: string } };
  /** Waits (bounded by `settleMs`) for `frames` frames and an empty work queue, collects garbage, measures. */
  sample: { args: { frames: number; settleMs: number }; result: MemorySample };
};
