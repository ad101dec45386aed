/**
 * The channel's time-driven behaviour with exact timings: mock-socket sockets under vitest's fake
 * timers (no waiting). Heartbeat loss, pong timeout, the backoff schedule, renewal and expiry
 * rotation, and how a rotation decides whether the old socket overlapped the new one. mock-socket's
 * fixed 4 ms hops (see mock-streaming.ts) appear in the expected times as HOP_MS.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNEL_DEFAULTS, NotificationChannel, type ChannelDeps, type ChannelOptions, type GapInfo } from '../../../src/stream/channel.js';
import type { Logger } from '../../../src/log.js';
import { HOP_MS, MockStreaming } from './mock-streaming.js';

const S = Date.UTC(2026, 0, 1);
const HOUR = 60 * 60 * 1000;
const HEARTBEAT = CHANNEL_DEFAULTS.heartbeatTimeoutMs;
const PONG = CHANNEL_DEFAULTS.pongTimeoutMs;

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };

interface Harness {
  mock: MockStreaming;
  channel: NotificationChannel;
  /** State changes (`from->to:reason`) with the fake time they happened at. */
  changes: { change: string; at: number }[];
  gaps: GapInfo[];
  /** Time of the first state change named `change` (throws if none). */
  at(change: string): number;
}

let current: Harness | undefined;

function harness(opts: Partial<ChannelOptions> = {}, deps: Partial<ChannelDeps> = {}): Harness {
  const mock = new MockStreaming();
  const changes: Harness['changes'] = [];
  const gaps: GapInfo[] = [];
  const channel = new NotificationChannel('t', { ...CHANNEL_DEFAULTS, topics: ['v2.flows.f1'], ...opts }, {
    api: mock.api,
    logger: silent,
    connect: mock.connect,
    // Jitter 0.2 at the midpoint: every backoff delay is exactly 90 % of its nominal value.
    random: () => 0.5,
    events: {
      onFrame: () => undefined,
      onGap: (gap) => gaps.push(gap),
      onStateChange: (from, to, reason) => changes.push({ change: `${from}->${to}:${reason}`, at: Date.now() }),
    },
    ...deps,
  });
  const at = (change: string): number => {
    const found = changes.find((c) => c.change === change);
    if (!found) throw new Error(`no ${change} in ${JSON.stringify(changes)}`);
    return found.at;
  };
  current = { mock, channel, changes, gaps, at };
  return current;
}

/** Starts the channel and lets its first socket open (create, subscribe, one hop). */
async function opened(h: Harness): Promise<number> {
  void h.channel.start();
  await vi.advanceTimersByTimeAsync(HOP_MS);
  expect(h.channel.state).toBe('open');
  return h.at('connecting->open:connected');
}

const advance = async (ms: number): Promise<void> => {
  await vi.advanceTimersByTimeAsync(ms);
};

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(S);
});

afterEach(async () => {
  if (current) {
    const stopped = current.channel.stop();
    await advance(CHANNEL_DEFAULTS.closeTimeoutMs);
    await stopped;
    current.mock.stop();
    current = undefined;
  }
  expect(vi.getTimerCount()).toBe(0); // stop() left no timer behind
  vi.useRealTimers();
});

describe('heartbeat', () => {
  it('pings after exactly heartbeatTimeoutMs of silence; a pong or any frame restarts the window', async () => {
    const h = harness();
    const open = await opened(h);
    expect(open).toBe(S + HOP_MS);
    await advance(HEARTBEAT - 1);
    expect(h.channel.stats().pingsSent).toBe(0);
    await advance(1);
    expect(h.channel.stats().pingsSent).toBe(1);
    await advance(HOP_MS);
    expect(h.mock.pings('ch-1')).toEqual([open + HEARTBEAT + HOP_MS]); // the pong answers at once
    // The pong was life at open + HEARTBEAT + HOP_MS; a frame 30 s later pushes the next ping back.
    await advance(30_000);
    h.mock.send('ch-1', 'v2.flows.f1');
    const frameAt = Date.now();
    await advance(HEARTBEAT - 1);
    expect(h.channel.stats().pingsSent).toBe(1);
    await advance(1 + HOP_MS);
    expect(h.mock.pings('ch-1')).toEqual([open + HEARTBEAT + HOP_MS, frameAt + HEARTBEAT + HOP_MS]);
    expect(h.channel.state).toBe('open');
    expect(h.gaps.map((g) => g.reason)).toEqual(['start']);
    expect(h.mock.dials).toHaveLength(1);
  });

  it('drops the socket exactly pongTimeoutMs after an unanswered ping, reconnects after the backoff, and reports the gap', async () => {
    const h = harness();
    h.mock.answerPings = false;
    const open = await opened(h);
    await advance(HEARTBEAT + PONG - 1);
    expect(h.channel.state).toBe('open');
    await advance(1);
    expect(h.at('open->backoff:pong-timeout')).toBe(open + HEARTBEAT + PONG);
    const backoff = 900; // 1 s shortened by half the 20 % jitter
    await advance(backoff + HOP_MS);
    expect(h.at('backoff->connecting:retry')).toBe(open + HEARTBEAT + PONG + backoff);
    // The channel still exists (HEAD): same channel, no new one.
    expect(h.mock.dials).toEqual([
      { channelId: 'ch-1', at: S },
      { channelId: 'ch-1', at: open + HEARTBEAT + PONG + backoff },
    ]);
    expect(h.mock.calls.create).toBe(1);
    expect(h.gaps).toEqual([
      { channelKey: 't', reason: 'start', from: S, to: open },
      { channelKey: 't', reason: 'reconnect', from: open, to: open + HEARTBEAT + PONG + backoff + HOP_MS },
    ]);
    expect(h.channel.stats()).toMatchObject({ state: 'open', reconnects: 1, pingsSent: 1 });
  });
});

describe('backoff schedule', () => {
  it('waits 0.9 s, 1.8 s, 3.6 s ... capped at 27 s between refused attempts, and starts over after a frame', async () => {
    const h = harness();
    h.mock.refuseNext = 7;
    void h.channel.start();
    await advance(120_000);
    expect(h.channel.state).toBe('open');
    // minMs 1 s, factor 2, maxMs 30 s, each shortened by 10 %; a refusal shows one hop after the dial.
    const delays = [900, 1_800, 3_600, 7_200, 14_400, 27_000, 27_000];
    const expected = [0];
    for (const d of delays) expected.push(expected.at(-1)! + HOP_MS + d);
    expect(h.mock.dials.map((d) => d.at - S)).toEqual(expected);
    expect(h.changes.filter((c) => c.change === 'connecting->backoff:connect-failed')).toHaveLength(7);
    expect(h.gaps).toEqual([{ channelKey: 't', reason: 'start', from: S, to: S + expected.at(-1)! + HOP_MS }]);

    // A frame shows the socket works: the next failure waits the first delay again, not 27 s.
    h.mock.send('ch-1', 'v2.flows.f1');
    h.mock.accepted.at(-1)!.socket.close({ code: 4000, reason: 'closed by the server', wasClean: true });
    await advance(HOP_MS);
    const closedAt = h.at('open->backoff:socket-closed');
    await advance(900 + HOP_MS);
    // A close frame: a new channel (going back could kick whoever took the old one).
    expect(h.mock.dials.at(-1)).toEqual({ channelId: 'ch-2', at: closedAt + 900 });
    expect(h.channel.stats()).toMatchObject({ state: 'open', channelId: 'ch-2' });
  });
});

describe('a channel reported gone', () => {
  it('is replaced at once after a healthy socket, and with the backoff schedule when fresh channels keep dying', async () => {
    const h = harness();
    h.mock.goneOnConnect = true;
    void h.channel.start();
    await advance(10_000);
    // ch-1 opens one hop after its dial and is gone at once: ch-2 is dialled on the next timer tick
    // (a zero delay, which timers round up to 1 ms). ch-2 never showed life, so ch-3 waits the
    // second delay (1.8 s) and ch-4 the third (3.6 s).
    const ch2 = S + HOP_MS + 1;
    expect(h.mock.dials).toEqual([
      { channelId: 'ch-1', at: S },
      { channelId: 'ch-2', at: ch2 },
      { channelId: 'ch-3', at: ch2 + HOP_MS + 1_800 },
      { channelId: 'ch-4', at: ch2 + 2 * HOP_MS + 1_800 + 3_600 },
    ]);
    expect(h.gaps.slice(0, 2)).toEqual([
      { channelKey: 't', reason: 'start', from: S, to: S + HOP_MS },
      { channelKey: 't', reason: 'channel-gone', from: S + HOP_MS, to: ch2 + HOP_MS },
    ]);
  });
});

describe('renewal before expiry', () => {
  it('re-subscribes exactly rotateBeforeExpiryMs before expires, and again before the moved expiry', async () => {
    const h = harness({ heartbeatTimeoutMs: 100 * HOUR });
    h.mock.resubscribeExtends = true;
    await opened(h);
    expect(h.mock.calls.subscribe).toBe(1);
    await advance(23 * HOUR - HOP_MS - 1);
    expect(h.mock.calls.subscribe).toBe(1);
    await advance(1);
    expect(h.mock.calls.subscribe).toBe(2); // at created + 24 h - 1 h
    await advance(23 * HOUR - 1);
    expect(h.mock.calls.subscribe).toBe(2);
    await advance(1);
    expect(h.mock.calls.subscribe).toBe(3);
    expect(h.channel.stats()).toMatchObject({ state: 'open', channelId: 'ch-1', rotations: 0, channelsCreated: 1 });
  });

  it('rotates at that moment when re-subscribing does not move expires; a healthy old socket overlaps', async () => {
    const h = harness({ heartbeatTimeoutMs: 100 * HOUR });
    await opened(h);
    await advance(23 * HOUR - HOP_MS);
    const rotateAt = S + 23 * HOUR;
    expect(h.at('open->rotating:expiry')).toBe(rotateAt);
    // Probe at once (pong one hop later); the new socket opens one hop later, then a second probe:
    // its pong, one more hop, proves that the old socket delivered after the new one opened.
    await advance(2 * HOP_MS);
    expect(h.at('rotating->open:rotated')).toBe(rotateAt + 2 * HOP_MS);
    expect(h.mock.pings('ch-1')).toEqual([rotateAt + HOP_MS, rotateAt + 2 * HOP_MS]);
    expect(h.gaps.map((g) => g.reason)).toEqual(['start']);
    expect(h.channel.stats()).toMatchObject({ state: 'open', channelId: 'ch-2', rotations: 1 });
  });
});

describe('did the old socket overlap the new one?', () => {
  it('a half-open old socket (probe unanswered) is given up exactly pongTimeoutMs after the probe, with a gap', async () => {
    const h = harness();
    await opened(h);
    await advance(1_000);
    h.mock.send('ch-1', 'v2.flows.f1');
    const lastLife = Date.now();
    h.mock.answerPings = false;
    await advance(19_000);
    const rotateAt = Date.now();
    const rotation = h.channel.rotate('test');
    await advance(PONG - 1);
    expect(h.channel.state).toBe('rotating'); // the new socket is open, the old one not proven
    await advance(1);
    expect(h.at('rotating->open:rotated')).toBe(rotateAt + PONG);
    expect(h.gaps.at(-1)).toEqual({ channelKey: 't', reason: 'rotation', from: lastLife, to: rotateAt + PONG });
    await advance(HOP_MS); // the old socket's closing handshake
    await rotation;
    expect(h.mock.pings('ch-1')).toEqual([rotateAt + HOP_MS]); // one probe: no second while it is unanswered
  });

  it('an old socket silent for a heartbeat window is given up when that window ends, before the pong timeout', async () => {
    const h = harness();
    h.mock.answerPings = false;
    const open = await opened(h);
    await advance(40_000);
    void h.channel.rotate('test');
    await advance(HEARTBEAT - 40_000 - 1);
    expect(h.channel.state).toBe('rotating');
    await advance(1);
    expect(h.at('rotating->open:rotated')).toBe(open + HEARTBEAT);
    expect(h.gaps.at(-1)).toEqual({ channelKey: 't', reason: 'rotation', from: open, to: open + HEARTBEAT });
  });

  it('at the channel cap: the old socket is closed before the new channel is made, and the switch is a gap', async () => {
    const h = harness({}, { rotationRoom: { tryReserve: () => undefined } });
    const open = await opened(h);
    await advance(1_000);
    const rotateAt = Date.now();
    void h.channel.rotate('test');
    await advance(HOP_MS - 1);
    expect(h.mock.calls.create).toBe(1); // the old socket is still closing
    await advance(1);
    expect(h.mock.calls.create).toBe(2);
    expect(h.mock.dials.at(-1)).toEqual({ channelId: 'ch-2', at: rotateAt + HOP_MS });
    await advance(HOP_MS);
    expect(h.at('rotating->open:rotated')).toBe(rotateAt + 2 * HOP_MS);
    expect(h.gaps.at(-1)).toEqual({ channelKey: 't', reason: 'rotation', from: open, to: rotateAt + 2 * HOP_MS });
    expect(h.mock.pings('ch-1')).toEqual([]); // no probe: nothing to overlap
  });
});
