/**
 * One test per known reconnecting-websocket 4.4.0 bug. The channel no longer uses that library (it
 * dials its own sockets, one `Connection` each), and each test shows that the failure the bug caused
 * cannot happen with it. Uncaught exceptions and unhandled rejections are collected, so a crash that
 * the bug would cause fails the test itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { NotificationChannel, type ChannelApi } from '../../../src/stream/channel.js';
import { Connection, wsFactory, type ConnectionHandlers, type WireSocket } from '../../../src/stream/connection.js';
import { FakeStreaming, recordingLogger } from './fake-streaming.js';
import { FAST, TOPICS, recorder, setup } from './helpers.js';

const crashes: unknown[] = [];
const collect = (err: unknown): void => {
  crashes.push(err);
};
let cleanups: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  crashes.length = 0;
  process.on('uncaughtException', collect);
  process.on('unhandledRejection', collect);
});
afterEach(async () => {
  for (const fn of cleanups.reverse()) await fn();
  cleanups = [];
  process.off('uncaughtException', collect);
  process.off('unhandledRejection', collect);
});

/** The channel's own socket factory, recording the sockets it makes. */
function socketsOf(): { sockets: WireSocket[]; connect: (url: string) => WireSocket } {
  const sockets: WireSocket[] = [];
  const make = wsFactory(5_000);
  return {
    sockets,
    connect: (url) => {
      const ws = make(url);
      sockets.push(ws);
      return ws;
    },
  };
}

describe('reconnecting-websocket 4.4.0 bugs, neutralised', () => {
  it('bug 1: a connection timeout does not crash the process (the socket always has an error listener)', async () => {
    const t = await setup({ connectTimeoutMs: 40 });
    cleanups.push(t.teardown);
    t.fake.blackHoles.add('ch-1'); // the first channel's socket never completes its handshake
    const started = t.channel.start();
    await waitFor(() => t.fake.attempts.length >= 2, { what: 'a timed-out attempt and a retry' });
    expect(t.rec.states).toContain('connecting->backoff:connect-failed');
    t.fake.channels.get('ch-1')!.exists = false; // then the provider moves to a new channel
    await started;
    expect(t.channel.stats().channelId).toBe('ch-2');
    expect(crashes).toEqual([]);
  });

  it('bug 2: closing a socket while it is still opening does not crash the process', async () => {
    // reconnecting-websocket's reconnect() did this; the channel does it when it stops or rotates mid-dial.
    const fake = await FakeStreaming.start();
    cleanups.push(() => fake.stop());
    fake.blackHoles.add('hole');
    const { id } = await fake.api.createChannel();
    const { sockets, connect } = socketsOf();
    let opened = 0;
    const handlers: ConnectionHandlers = {
      onOpen: () => (opened += 1),
      onMessage: () => undefined,
      onClose: () => undefined,
      onSocketError: () => undefined,
    };
    const deps = { connect, connectTimeoutMs: 5_000, closeTimeoutMs: 300, now: Date.now };
    const stuck = new Connection(1, { id: 'hole', connectUri: fake.uri('hole'), expires: undefined, createdAt: 0 }, deps, handlers);
    await waitFor(() => sockets.length === 1 && fake.attempts.length === 1, { what: 'a socket stuck opening' });
    expect(sockets[0]!.readyState).toBe(0); // CONNECTING
    const closing = stuck.close(true);
    const next = new Connection(2, { id, connectUri: fake.uri(id), expires: undefined, createdAt: 0 }, deps, handlers);
    cleanups.push(() => next.close(false));
    await waitFor(() => opened === 1, { what: 'the second socket open' });
    expect(sockets).toHaveLength(2);
    await closing;
    await waitFor(() => sockets[0]!.readyState === 3, { what: 'the first socket closed' });
    expect(crashes).toEqual([]);
  });

  it('bug 3: failing channel API calls do not leave a stuck socket or an unhandled rejection', async () => {
    // Channel API failures are retried by the channel itself, with backoff.
    const t = await setup();
    cleanups.push(t.teardown);
    t.fake.failCreates = 3;
    await t.channel.start();
    expect(t.fake.calls.create).toBe(4);
    expect(t.rec.states.filter((s) => s === 'connecting->backoff:channel-api-failed')).toHaveLength(3);

    // A HEAD that rejects (the call that decides whether to reconnect to the same channel) is retried too.
    let headFailures = 2;
    const api: ChannelApi = {
      ...t.fake.api,
      channelExists: (channelId) => (headFailures-- > 0 ? Promise.reject(new Error('HEAD failed')) : t.fake.api.channelExists(channelId)),
    };
    const rec = recorder();
    const channel = new NotificationChannel('head', { ...FAST, topics: TOPICS }, { api, logger: recordingLogger(), events: rec.events });
    cleanups.push(() => channel.stop());
    await channel.start();
    t.fake.drop(channel.stats().channelId!); // 1006: back to the same channel, after a HEAD
    await waitFor(() => channel.state === 'open' && rec.gaps.length === 2, { what: 'open after two rejections' });
    expect(rec.states.filter((s) => s === 'connecting->backoff:channel-api-failed')).toHaveLength(2);
    expect(headFailures).toBe(-1);
    expect(crashes).toEqual([]);
  });

  it('bug 4: no retry limit, and a stop during backoff does not leave the next start dead', async () => {
    const t = await setup({ backoff: { minMs: 5, maxMs: 20, factor: 2, jitter: 0 } });
    cleanups.push(t.teardown);
    t.fake.refuseNext = 12; // far beyond any maxRetries one might have set
    await t.channel.start();
    expect(t.fake.attempts).toHaveLength(13);

    // With reconnecting-websocket, close() during its wait made its reconnect() a silent no-op; the
    // channel's own loop starts over on start().
    t.fake.refuseNext = 1_000;
    t.fake.drop('ch-1');
    await waitFor(() => t.channel.state === 'backoff' && t.fake.attempts.length >= 15, { what: 'backing off' });
    await t.channel.stop();
    t.fake.refuseNext = 0;
    await t.channel.start();
    expect(t.channel.state).toBe('open');
    expect(crashes).toEqual([]);
  });
});
