/** Shared set-up of the channel integration tests: fast options and an event recorder. */
import { CHANNEL_DEFAULTS, NotificationChannel, type ChannelEvents, type ChannelOptions, type GapInfo, type RejectedTopic } from '../../../src/stream/channel.js';
import type { Frame } from '../../../src/stream/frames.js';
import { FakeStreaming, recordingLogger } from './fake-streaming.js';

/** Small timeouts (tens of ms) so every rule fires quickly; the heartbeat is off unless a test sets it. */
export const FAST = {
  ...CHANNEL_DEFAULTS,
  heartbeatTimeoutMs: 60_000,
  pongTimeoutMs: 60_000,
  backoff: { minMs: 20, maxMs: 200, factor: 2, jitter: 0 },
  connectTimeoutMs: 1_000,
  closeTimeoutMs: 300,
} as const satisfies Omit<ChannelOptions, 'topics'>;

export const TOPICS = ['v2.routing.queues.q1.conversations', 'v2.flows.f1'] as const;

export interface Recorded {
  frames: { frame: Frame; at: number }[];
  gaps: GapInfo[];
  states: string[];
  rejected: RejectedTopic[][];
  events: ChannelEvents;
}

export function recorder(): Recorded {
  const r: Omit<Recorded, 'events'> = { frames: [], gaps: [], states: [], rejected: [] };
  const events: ChannelEvents = {
    onFrame: (frame) => {
      r.frames.push({ frame, at: Date.now() });
    },
    onGap: (info) => {
      r.gaps.push(info);
    },
    onStateChange: (from, to, reason) => {
      r.states.push(`${from}->${to}:${reason}`);
    },
    onRejectedTopics: (rejected) => {
      r.rejected.push(rejected);
    },
  };
  return { ...r, events };
}

/** A fake server, a channel on it, and a clean-up that checks nothing was logged as an error. */
export async function setup(opts: Partial<ChannelOptions> = {}): Promise<{
  fake: FakeStreaming;
  channel: NotificationChannel;
  rec: Recorded;
  logger: ReturnType<typeof recordingLogger>;
  teardown: () => Promise<void>;
}> {
  const fake = await FakeStreaming.start();
  const rec = recorder();
  const logger = recordingLogger();
  const channel = new NotificationChannel('test', { ...FAST, topics: TOPICS, ...opts }, { api: fake.api, logger, events: rec.events });
  const teardown = async (): Promise<void> => {
    await channel.stop();
    await fake.stop();
    if (logger.errors.length > 0) throw new Error(`errors logged: ${JSON.stringify(logger.errors)}`);
  };
  return { fake, channel, rec, logger, teardown };
}

/**
 * Watches every `setTimeout` made through the global (by this code and ws)
 * until `restore()`: `live` holds those neither fired nor cleared, `pending()` says where they came from.
 */
export function trackTimers(): { live: Set<NodeJS.Timeout>; pending: () => string[]; restore: () => void } {
  const live = new Set<NodeJS.Timeout>();
  const stacks = new WeakMap<NodeJS.Timeout, string>();
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const tracked = (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): NodeJS.Timeout => {
    const timer = realSet(() => {
      live.delete(timer);
      fn(...args);
    }, ms);
    live.add(timer);
    stacks.set(timer, new Error('timer created').stack ?? '');
    return timer;
  };
  globalThis.setTimeout = tracked as typeof setTimeout;
  globalThis.clearTimeout = (timer: NodeJS.Timeout | string | number | undefined): void => {
    if (typeof timer === 'object') live.delete(timer);
    realClear(timer);
  };
  return {
    live,
    /** Where each live timer was created (an empty list is the expected answer). */
    pending: () => [...live].map((t) => stacks.get(t) ?? '?'),
    restore: () => {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    },
  };
}
