/**
 * One test per known reconnecting-websocket 4.4.0 bug (stack-notes.md), each showing that the
 * channel (or the socket factory under it) neutralises it. Uncaught exceptions and unhandled
 * rejections are collected, so a crash that the bug would cause fails the test itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { waitFor } from '../../helpers/wait-for.js';
import { createReconnectingSocket, safeSocketClass, type ReconnectingSocket } from '../../../src/stream/socket.js';
import { FakeStreaming } from './fake-streaming.js';
import { setup } from './helpers.js';

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

/** A socket factory that records the sockets it makes. */
function socketsOf(): { sockets: WebSocket[]; SocketClass: ReturnType<typeof safeSocketClass> } {
  const sockets: WebSocket[] = [];
  return { sockets, SocketClass: safeSocketClass({ handshakeTimeoutMs: 5_000, onSocket: (ws) => sockets.push(ws) }) };
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

  it('bug 2: reconnect() while a socket is still opening does not crash the process', async () => {
    const fake = await FakeStreaming.start();
    cleanups.push(() => fake.stop());
    fake.blackHoles.add('hole');
    const { id } = await fake.api.createChannel();
    const urls = [fake.uri('hole'), fake.uri(id)];
    const { sockets, SocketClass } = socketsOf();
    const rws: ReconnectingSocket = createReconnectingSocket(() => Promise.resolve(urls.shift() ?? fake.uri(id)), { SocketClass, connectTimeoutMs: 5_000 });
    cleanups.push(() => {
      rws.close();
    });
    let opened = 0;
    rws.addEventListener('open', () => {
      opened += 1;
    });
    await waitFor(() => sockets.length === 1 && fake.attempts.length === 1, { what: 'a socket stuck opening' });
    expect(sockets[0]!.readyState).toBe(0); // CONNECTING
    rws.reconnect();
    await waitFor(() => opened === 1, { what: 'the second socket open' });
    expect(sockets).toHaveLength(2);
    await waitFor(() => sockets[0]!.readyState === 3, { what: 'the first socket closed' });
    expect(crashes).toEqual([]);
  });

  it('bug 3: a URL provider that fails does not leave a stuck socket or an unhandled rejection', async () => {
    // The channel's own provider: channel API failures are retried inside it, with backoff.
    const t = await setup();
    cleanups.push(t.teardown);
    t.fake.failCreates = 3;
    await t.channel.start();
    expect(t.fake.calls.create).toBe(4);
    expect(t.rec.states.filter((s) => s === 'connecting->backoff:channel-api-failed')).toHaveLength(3);

    // The back-stop in the socket factory: even a provider that does reject is retried.
    const { SocketClass } = socketsOf();
    const { id } = await t.fake.api.createChannel();
    let calls = 0;
    const providerErrors: unknown[] = [];
    const rws = createReconnectingSocket(
      () => {
        calls += 1;
        return calls <= 2 ? Promise.reject(new Error('provider failed')) : Promise.resolve(t.fake.uri(id));
      },
      { SocketClass, connectTimeoutMs: 5_000, providerRetryMs: 5, onProviderError: (err) => providerErrors.push(err) },
    );
    cleanups.push(() => {
      rws.close();
    });
    let opened = false;
    rws.addEventListener('open', () => {
      opened = true;
    });
    await waitFor(() => opened, { what: 'open after two rejections' });
    expect(providerErrors).toHaveLength(2);
    expect(crashes).toEqual([]);
  });

  it('bug 4: no retry limit, and a stop during backoff does not leave the next start dead', async () => {
    const t = await setup({ backoff: { minMs: 5, maxMs: 20, factor: 2, jitter: 0 } });
    cleanups.push(t.teardown);
    t.fake.refuseNext = 12; // far beyond any maxRetries one might have set
    await t.channel.start();
    expect(t.fake.attempts).toHaveLength(13);

    // close() during reconnecting-websocket's wait would make its reconnect() a silent no-op;
    // the channel builds a new socket on start() instead of reviving the closed one.
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
