/**
 * What the platform really sends, at the channel level over real sockets: the bare `{"result":"404"}`
 * message, `no_longer_subscribed` frames for channels that are not ours, rotations whose old socket
 * went quiet, and rotations at the channel cap.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NotificationChannel, type ChannelApi } from '../../../src/stream/channel.js';
import { waitFor } from '../../helpers/wait-for.js';
import { recordingLogger } from './fake-streaming.js';
import { FAST, TOPICS, recorder, setup } from './helpers.js';
import { FakeStreaming } from './fake-streaming.js';

let teardown: (() => Promise<void>) | undefined;
afterEach(async () => {
  await teardown?.();
  teardown = undefined;
});

describe('a channel reported gone', () => {
  it('is replaced at once on {"result":"404"} (no close, watchdog far off), with a gap from its last sign of life', async () => {
    const t = await setup(); // heartbeat watchdog: 60 s
    teardown = t.teardown;
    await t.channel.start();
    t.fake.send('ch-1', 'v2.flows.f1', { n: 1 });
    await waitFor(() => t.rec.frames.length === 1, { what: 'a frame' });
    const lastLife = t.channel.lastFrameAt;
    t.fake.channels.get('ch-1')!.exists = false; // gone: HEAD answers 404, the socket stays open
    t.fake.sendRaw('ch-1', '{"result":"404"}');
    await waitFor(() => t.channel.state === 'open' && t.channel.stats().channelId === 'ch-2', { what: 'a new channel' });
    expect(t.fake.calls.subscribe.map((s) => s.channelId)).toEqual(['ch-1', 'ch-2']);
    expect(t.rec.gaps.map((g) => g.reason)).toEqual(['start', 'channel-gone']);
    expect(t.rec.gaps[1]!.from).toBe(lastLife);
    expect(t.rec.states).toContain('open->backoff:channel-gone');
    await waitFor(() => t.fake.openOn('ch-1').length === 0, { what: 'the dead socket closed' });
    // The new channel was reached on the first try: no backoff after a healthy socket.
    expect(t.fake.attempts.map((a) => a.channelId)).toEqual(['ch-1', 'ch-2']);
  });

  it('ends a rotation at once when the old socket is reported gone while it had to prove itself', async () => {
    const t = await setup({ pongTimeoutMs: 10_000 });
    teardown = t.teardown;
    await t.channel.start();
    t.fake.answerPings = false; // the old socket will not prove itself by a pong
    t.fake.onConnection = (conn) => {
      if (conn.channelId !== 'ch-2') return;
      t.fake.channels.get('ch-1')!.exists = false;
      t.fake.sendRaw('ch-1', '{"result":"404"}');
    };
    const started = Date.now();
    await t.channel.rotate('test');
    expect(Date.now() - started).toBeLessThan(5_000); // not the 10 s pong timeout
    expect(t.channel.stats()).toMatchObject({ state: 'open', channelId: 'ch-2', rotations: 1 });
    expect(t.rec.gaps.map((g) => g.reason)).toEqual(['start', 'rotation']);
    t.fake.onConnection = undefined;
  });

  it('backs off when fresh channels keep being reported gone', async () => {
    const t = await setup({ backoff: { minMs: 200, maxMs: 1_000, factor: 2, jitter: 0 } });
    teardown = t.teardown;
    t.fake.onConnection = (conn) => {
      t.fake.channels.get(conn.channelId)!.exists = false;
      conn.ws.send('{"result":"404"}');
    };
    void t.channel.start();
    await waitFor(() => t.fake.attempts.length >= 3, { what: 'three channels' });
    const [a, b, c] = t.fake.attempts.map((x) => x.at);
    // The first replacement is immediate, the next ones wait 200 then 400 ms.
    expect(c! - b!).toBeGreaterThanOrEqual(190);
    expect(b! - a!).toBeLessThan(c! - b!);
    t.fake.onConnection = undefined;
  });
});

describe('no_longer_subscribed', () => {
  it('ignores 500 frames naming channels that are not ours: no PUT, no gap; our own id still re-subscribes', async () => {
    const t = await setup();
    teardown = t.teardown;
    await t.channel.start();
    for (let i = 0; i < 500; i++) t.fake.send('ch-1', `v2.system.no_longer_subscribed.streaming-0-foreign${String(i)}`);
    t.fake.send('ch-1', 'v2.flows.f1', { n: 'after' });
    await waitFor(() => t.rec.frames.some((f) => f.frame.kind === 'flow'), { what: 'the frame after the foreign ones' });
    expect(t.rec.frames.filter((f) => f.frame.kind === 'no-longer-subscribed')).toHaveLength(500);
    expect(t.fake.calls.subscribe).toHaveLength(1);
    expect(t.rec.gaps.map((g) => g.reason)).toEqual(['start']);
    t.fake.send('ch-1', 'v2.system.no_longer_subscribed.ch-1');
    await waitFor(() => t.rec.gaps.length === 2, { what: 'the resubscribe gap' });
    expect(t.fake.calls.subscribe.map((s) => s.channelId)).toEqual(['ch-1', 'ch-1']);
  });

  it('coalesces a burst of our own into the PUT in flight plus one more', async () => {
    const t = await setup();
    teardown = t.teardown;
    await t.channel.start();
    t.fake.subscribeDelayMs = 200;
    for (let i = 0; i < 50; i++) t.fake.send('ch-1', 'v2.system.no_longer_subscribed.ch-1');
    await waitFor(() => t.rec.gaps.length === 2, { what: 'the resubscribe gap' });
    expect(t.fake.calls.subscribe).toHaveLength(3);
    // Nothing of the burst is left queued: one more frame costs exactly one more PUT and one gap.
    t.fake.subscribeDelayMs = 0;
    t.fake.send('ch-1', 'v2.system.no_longer_subscribed.ch-1');
    await waitFor(() => t.rec.gaps.length >= 3, { what: 'the next resubscribe gap' });
    expect(t.fake.calls.subscribe).toHaveLength(4);
    expect(t.rec.gaps.map((g) => g.reason)).toEqual(['start', 'resubscribe', 'resubscribe']);
  });
});

describe('rotation after a quiet socket', () => {
  it('counts the switch as a gap when the old socket stayed open but silent (no pong to the probe)', async () => {
    // The heartbeat window (60 s) is far off: only the probe can tell that the old socket is dead.
    const t = await setup({ pongTimeoutMs: 300 });
    teardown = t.teardown;
    await t.channel.start();
    t.fake.send('ch-1', 'v2.flows.f1', { n: 1 });
    await waitFor(() => t.rec.frames.length === 1, { what: 'a frame' });
    const lastLife = t.channel.lastFrameAt;
    t.fake.answerPings = false; // half-open from here on
    await t.channel.rotate('test');
    expect(t.channel.stats()).toMatchObject({ state: 'open', channelId: 'ch-2', rotations: 1 });
    expect(t.rec.gaps.map((g) => g.reason)).toEqual(['start', 'rotation']);
    expect(t.rec.gaps[1]!.from).toBe(lastLife);
    expect(t.fake.received.filter((r) => r.channelId === 'ch-1' && r.text === '{"message":"ping"}').length).toBeGreaterThanOrEqual(1);
  });

  it('counts it as an overlap when the old socket answers the probe after the new one opened', async () => {
    const t = await setup({ pongTimeoutMs: 5_000 });
    teardown = t.teardown;
    await t.channel.start();
    await t.channel.rotate('test');
    expect(t.rec.gaps.map((g) => g.reason)).toEqual(['start']);
    expect(t.rec.states.at(-1)).toBe('rotating->open:rotated');
    const oldConn = t.fake.connections.find((c) => c.channelId === 'ch-1')!;
    const newConn = t.fake.connections.find((c) => c.channelId === 'ch-2')!;
    await waitFor(() => oldConn.closedAt !== undefined, { what: 'old socket closed' });
    expect(newConn.openedAt).toBeLessThanOrEqual(oldConn.closedAt!);
  });
});

describe('rotation at the channel cap', () => {
  it('breaks before it makes: the old socket is closed before the new channel is created, and the switch is a gap', async () => {
    const fake = await FakeStreaming.start();
    const rec = recorder();
    const logger = recordingLogger();
    const createdAt: number[] = [];
    const api: ChannelApi = {
      ...fake.api,
      createChannel: () => {
        createdAt.push(Date.now());
        return fake.api.createChannel();
      },
    };
    const channel = new NotificationChannel('capped', { ...FAST, topics: TOPICS }, { api, logger, events: rec.events, rotationRoom: { tryReserve: () => undefined } });
    teardown = async () => {
      await channel.stop();
      await fake.stop();
      expect(logger.errors).toEqual([]);
    };
    await channel.start();
    await channel.rotate('test');
    expect(channel.stats()).toMatchObject({ state: 'open', channelId: 'ch-2' });
    const oldConn = fake.connections.find((c) => c.channelId === 'ch-1')!;
    expect(oldConn.closedAt).toBeDefined();
    expect(oldConn.closedAt!).toBeLessThanOrEqual(createdAt[1]!);
    expect(rec.gaps.map((g) => g.reason)).toEqual(['start', 'rotation']);
    expect(rec.states).toContain('open->rotating:test');
  });
});
