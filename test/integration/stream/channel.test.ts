import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { NotificationChannel } from '../../../src/stream/channel.js';
import { FakeStreaming, recordingLogger } from './fake-streaming.js';
import { FAST, TOPICS, recorder, setup, trackTimers } from './helpers.js';

let teardown: (() => Promise<void>) | undefined;
afterEach(async () => {
  await teardown?.();
  teardown = undefined;
});

describe('NotificationChannel over a real socket', () => {
  it('creates and subscribes a channel, opens it, reports a start gap and delivers frames', async () => {
    const t = await setup();
    teardown = t.teardown;
    const before = Date.now();
    await t.channel.start();
    expect(t.channel.state).toBe('open');
    expect(t.fake.calls.subscribe).toEqual([{ channelId: 'ch-1', topics: TOPICS }]);
    expect(t.rec.gaps).toHaveLength(1);
    expect(t.rec.gaps[0]).toMatchObject({ channelKey: 'test', reason: 'start' });
    expect(t.rec.gaps[0]!.from).toBeGreaterThanOrEqual(before);
    expect(t.rec.gaps[0]!.to).toBeGreaterThanOrEqual(t.rec.gaps[0]!.from);

    t.fake.send('ch-1', 'v2.routing.queues.q1.conversations', { id: 'conv-1', participants: [] });
    t.fake.send('ch-1', 'v2.flows.f1', { id: 'f1' });
    await waitFor(() => t.rec.frames.length >= 2, { what: 'two frames' });
    expect(t.rec.frames.map((f) => f.frame)).toMatchObject([
      { kind: 'conversation', queueId: 'q1', media: undefined, body: { id: 'conv-1' } },
      { kind: 'flow', flowId: 'f1', body: { id: 'f1' } },
    ]);
    expect(t.channel.lastFrameAt).toBeGreaterThanOrEqual(t.rec.gaps[0]!.to);
    expect(t.channel.stats()).toMatchObject({ state: 'open', channelId: 'ch-1', frames: 2, channelsCreated: 1, gaps: 1 });
  });

  it('drops a frame unparsed when skipText says so, still counting it as life', async () => {
    const fake = await FakeStreaming.start();
    const seen: string[] = [];
    const asked: string[] = [];
    const channel = new NotificationChannel('t', { ...FAST, topics: TOPICS }, {
      api: fake.api,
      logger: recordingLogger(),
      events: {
        onFrame: (frame) => {
          if (frame.kind === 'conversation') seen.push((frame.body as { id: string }).id);
        },
        onGap: () => undefined,
        skipText: (text) => {
          asked.push(text);
          return text.includes('"settled-1"');
        },
      },
    });
    teardown = async () => {
      await channel.stop();
      await fake.stop();
    };
    await channel.start();
    fake.send('ch-1', 'v2.routing.queues.q1.conversations', { id: 'settled-1', participants: [] });
    fake.send('ch-1', 'v2.routing.queues.q1.conversations', { id: 'new-2', participants: [] });
    await waitFor(() => seen.length === 1 && asked.length === 2, { what: 'both frames handled' });
    expect(seen).toEqual(['new-2']);
    expect(channel.stats().frames).toBe(2);
  });

  it('survives a throwing event handler and reports binary frames as malformed', async () => {
    const fake = await FakeStreaming.start();
    const logger = recordingLogger();
    const frames: string[] = [];
    const channel = new NotificationChannel('t', { ...FAST, topics: TOPICS }, {
      api: fake.api,
      logger,
      events: {
        onFrame: (frame) => {
          frames.push(frame.kind === 'malformed' ? `malformed:${frame.reason}` : frame.kind);
          if (frame.kind === 'flow') throw new Error('consumer bug');
        },
        onGap: () => undefined,
      },
    });
    teardown = async () => {
      await channel.stop();
      await fake.stop();
    };
    await channel.start();
    fake.send('ch-1', 'v2.flows.f1', {});
    fake.openOn('ch-1')[0]!.ws.send(Buffer.from([1, 2, 3]));
    fake.send('ch-1', 'channel.metadata', { message: 'WebSocket Heartbeat' });
    await waitFor(() => frames.length === 3, { what: 'three frames' });
    expect(frames).toEqual(['flow', 'malformed:binary frame', 'heartbeat']);
    expect(channel.state).toBe('open');
    expect(fake.connections).toHaveLength(1);
    expect(logger.errors).toEqual([{ message: 'handler threw', fields: { handler: 'onFrame', error: 'Error' } }]);
  });

  it('pings after heartbeat silence, and a pong keeps the socket open', async () => {
    const t = await setup({ heartbeatTimeoutMs: 40, pongTimeoutMs: 40 });
    teardown = t.teardown;
    await t.channel.start();
    await waitFor(() => t.fake.received.filter((r) => r.text === '{"message":"ping"}').length >= 3, { what: 'three pings' });
    expect(t.fake.connections).toHaveLength(1);
    expect(t.fake.openOn('ch-1')).toHaveLength(1);
    expect(t.channel.state).toBe('open');
    expect(t.rec.gaps.map((g) => g.reason)).toEqual(['start']);
    expect(t.rec.frames.some((f) => f.frame.kind === 'pong')).toBe(true);
  });

  it('reconnects to the same channel when no pong comes, and reports the gap', async () => {
    const t = await setup({ heartbeatTimeoutMs: 40, pongTimeoutMs: 40 });
    teardown = t.teardown;
    t.fake.answerPings = false;
    await t.channel.start();
    t.fake.send('ch-1', 'v2.flows.f1', { id: 'f1' });
    await waitFor(() => t.rec.frames.length === 1);
    const lastFrame = t.channel.lastFrameAt;
    await waitFor(() => t.rec.gaps.some((g) => g.reason === 'reconnect'), { what: 'reconnect gap' });
    const gap = t.rec.gaps.find((g) => g.reason === 'reconnect')!;
    expect(gap.from).toBe(lastFrame);
    expect(gap.to).toBeGreaterThanOrEqual(gap.from + 80); // 40 ms silence + 40 ms without pong
    expect(t.rec.states).toContain('open->backoff:pong-timeout');
    expect(t.fake.connections.length).toBeGreaterThanOrEqual(2);
    expect(t.fake.connections[0]!.closedAt).toBeDefined();
    expect(t.fake.calls.create).toBe(1); // the channel was still there: HEAD, then the same URI
    expect(t.fake.calls.exists).toBeGreaterThanOrEqual(1);
  });

  it('reconnects after a server drop with growing backoff delays, and reports the gap', async () => {
    const t = await setup({ backoff: { minMs: 30, maxMs: 1_000, factor: 2, jitter: 0 } });
    teardown = t.teardown;
    await t.channel.start();
    t.fake.send('ch-1', 'v2.flows.f1', { id: 'f1' });
    await waitFor(() => t.rec.frames.length === 1);
    const lastFrame = t.channel.lastFrameAt;
    t.fake.refuseNext = 3;
    const dropAt = Date.now();
    t.fake.drop('ch-1');
    await waitFor(() => t.channel.state === 'open' && t.rec.gaps.length === 2, { what: 'reopened' });
    const gap = t.rec.gaps[1]!;
    expect(gap).toMatchObject({ reason: 'reconnect', from: lastFrame });
    const times = [dropAt, ...t.fake.attempts.slice(1).map((a) => a.at)];
    expect(times).toHaveLength(5); // drop, three refused attempts, the accepted one
    const intervals = times.slice(1).map((at, i) => at - times[i]!);
    // 30, 60, 120, 240 ms; timers never fire early, allow a little clock granularity
    [30, 60, 120, 240].forEach((expected, i) => {
      expect(intervals[i]).toBeGreaterThanOrEqual(expected - 3);
    });
    expect(gap.to).toBeGreaterThanOrEqual(dropAt + 30 + 60 + 120 + 240 - 3);
    expect(t.channel.stats().reconnects).toBe(1);
  });

  it('creates and subscribes a new channel when the old one is gone (HEAD says 404)', async () => {
    const t = await setup();
    teardown = t.teardown;
    await t.channel.start();
    t.fake.deleteChannel('ch-1');
    await waitFor(() => t.channel.state === 'open' && t.channel.stats().channelId === 'ch-2', { what: 'on ch-2' });
    expect(t.fake.calls.subscribe.map((s) => s.channelId)).toEqual(['ch-1', 'ch-2']);
    expect(t.fake.calls.subscribe[1]!.topics).toEqual(TOPICS);
    expect(t.fake.openOn('ch-2')).toHaveLength(1);
    expect(t.rec.gaps.map((g) => g.reason)).toEqual(['start', 'reconnect']);
  });

  it('reports rejected topics and keeps the permitted ones', async () => {
    const t = await setup();
    teardown = t.teardown;
    t.fake.deniedTopics.add('v2.flows.f1');
    await t.channel.start();
    expect(t.rec.rejected).toEqual([[{ topic: 'v2.flows.f1', reason: 'permission denied', missingPermissions: ['routing:queue:view'] }]]);
    expect(t.fake.channels.get('ch-1')!.topics).toEqual(['v2.routing.queues.q1.conversations']);
    expect(t.channel.state).toBe('open');
  });

  it('re-subscribes in place on setTopics, without reconnecting', async () => {
    const t = await setup();
    teardown = t.teardown;
    await t.channel.start();
    await t.channel.setTopics(['v2.routing.queues.q2.conversations']);
    expect(t.fake.channels.get('ch-1')!.topics).toEqual(['v2.routing.queues.q2.conversations']);
    expect(t.fake.connections).toHaveLength(1);
    expect(t.channel.stats().topics).toBe(1);
  });

  it('stop() leaves no timers, sockets or reconnects behind', async () => {
    const fake = await FakeStreaming.start();
    const timers = trackTimers();
    teardown = async () => {
      timers.restore();
      await fake.stop();
    };
    const logger = recordingLogger();
    const channel = new NotificationChannel('t', { ...FAST, topics: TOPICS, heartbeatTimeoutMs: 30, pongTimeoutMs: 30 }, { api: fake.api, logger, events: recorder().events });
    await channel.start();
    await waitFor(() => fake.received.length >= 1, { what: 'a ping' }); // the watchdog has run
    expect(timers.live.size).toBeGreaterThan(0); // the tracker does see the channel's timers
    await channel.stop();
    expect(channel.state).toBe('stopped');
    // (the fake server's own close timer is tracked too: let the server finish first)
    await waitFor(() => fake.openOn('ch-1').length === 0, { what: 'server saw the close' });
    expect(timers.pending()).toEqual([]);
    expect(fake.connections[0]!.closeCode).toBe(1000); // a clean close, not a kill

    // Stopped while backing off (the server refuses every attempt): nothing left either.
    fake.refuseNext = 1_000;
    const restarted = channel.start();
    await waitFor(() => fake.attempts.length >= 3, { what: 'refused attempts' });
    await channel.stop();
    await restarted; // start() settles on stop
    expect(timers.pending()).toEqual([]);
    expect(logger.errors).toEqual([]);
  });
});
