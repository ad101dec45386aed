import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../../helpers/wait-for.js';
import { KICK_CODE } from './fake-streaming.js';
import { TOPICS, setup } from './helpers.js';

let teardown: (() => Promise<void>) | undefined;
afterEach(async () => {
  await teardown?.();
  teardown = undefined;
});

describe('NotificationChannel rotation and channel events', () => {
  it('rotates make-before-break on socket_closing: the new socket opens before the old one closes', async () => {
    const t = await setup();
    teardown = t.teardown;
    await t.channel.start();
    // At the moment the new socket connects, both sockets send a frame: both must be forwarded.
    t.fake.onConnection = (conn) => {
      if (conn.channelId !== 'ch-2') return;
      t.fake.send('ch-1', 'v2.flows.f1', { from: 'old' });
      t.fake.send('ch-2', 'v2.flows.f1', { from: 'new' });
    };
    t.fake.send('ch-1', 'v2.system.socket_closing');
    await waitFor(() => t.channel.state === 'open' && t.channel.stats().channelId === 'ch-2', { what: 'rotated' });
    await waitFor(() => t.fake.openOn('ch-1').length === 0, { what: 'old socket closed' });
    const [oldConn, newConn] = t.fake.connections;
    expect(oldConn!.channelId).toBe('ch-1');
    expect(newConn!.channelId).toBe('ch-2');
    expect(newConn!.openedAt).toBeLessThanOrEqual(oldConn!.closedAt!);
    expect(oldConn!.closeCode).toBe(1000);
    expect(t.fake.calls.subscribe.map((s) => s.channelId)).toEqual(['ch-1', 'ch-2']);
    expect(t.fake.calls.subscribe[1]!.topics).toEqual(TOPICS);
    await waitFor(() => t.rec.frames.filter((f) => f.frame.kind === 'flow').length === 2, { what: 'both frames' });
    const bodies = t.rec.frames.flatMap((f) => (f.frame.kind === 'flow' ? [f.frame.body] : []));
    expect(bodies).toEqual(expect.arrayContaining([{ from: 'old' }, { from: 'new' }]));
    expect(t.rec.states).toEqual(['idle->connecting:start', 'connecting->open:connected', 'open->rotating:socket-closing', 'rotating->open:rotated']);
    expect(t.rec.gaps.map((g) => g.reason)).toEqual(['start']); // overlap: nothing lost
    expect(t.channel.stats().rotations).toBe(1);
  });

  it('reports a gap when the old socket dies before the new one opens', async () => {
    const t = await setup();
    teardown = t.teardown;
    await t.channel.start();
    // The new channel's first connection attempt is refused, and the old socket dies meanwhile.
    t.fake.refuseNext = 1;
    t.fake.send('ch-1', 'v2.system.socket_closing');
    await waitFor(() => t.fake.attempts.length === 2, { what: 'refused attempt' });
    const lastFrame = t.channel.lastFrameAt; // the socket_closing frame
    t.fake.drop('ch-1');
    await waitFor(() => t.channel.state === 'open' && t.channel.stats().channelId === 'ch-2', { what: 'rotated' });
    expect(t.rec.gaps.map((g) => g.reason)).toEqual(['start', 'rotation']);
    expect(t.rec.gaps[1]!.from).toBe(lastFrame);
    // The dead old socket was not reconnected to its channel.
    expect(t.fake.attempts.filter((a) => a.channelId === 'ch-1')).toHaveLength(1);
  });

  it('reports a gap when the old socket had gone silent before the rotation', async () => {
    const t = await setup({ heartbeatTimeoutMs: 50, pongTimeoutMs: 60_000 });
    teardown = t.teardown;
    t.fake.answerPings = false;
    await t.channel.start();
    const openedAt = t.rec.gaps[0]!.to;
    await waitFor(() => t.fake.received.length === 1, { what: 'a ping after the silence' });
    await t.channel.rotate('test');
    expect(t.channel.stats()).toMatchObject({ state: 'open', channelId: 'ch-2', rotations: 1 });
    expect(t.rec.gaps.map((g) => g.reason)).toEqual(['start', 'rotation']);
    expect(t.rec.gaps[1]!.from).toBe(openedAt);
  });

  it('rotates on token_revoked', async () => {
    const t = await setup();
    teardown = t.teardown;
    await t.channel.start();
    t.fake.send('ch-1', 'v2.system.token_revoked.ch-1');
    await waitFor(() => t.channel.stats().channelId === 'ch-2' && t.channel.state === 'open', { what: 'rotated' });
    expect(t.rec.states).toContain('open->rotating:token-revoked');
  });

  it('re-subscribes on no_longer_subscribed, without reconnecting, and reports the gap', async () => {
    const t = await setup();
    teardown = t.teardown;
    await t.channel.start();
    t.fake.channels.get('ch-1')!.topics = [];
    t.fake.send('ch-1', 'v2.system.no_longer_subscribed.ch-1');
    await waitFor(() => t.rec.gaps.length === 2, { what: 'resubscribe gap' });
    expect(t.rec.gaps[1]!.reason).toBe('resubscribe');
    expect(t.fake.channels.get('ch-1')!.topics).toEqual(TOPICS);
    expect(t.fake.connections).toHaveLength(1);
  });

  it('moves to a new channel when a second connection kicks it, and does not kick back', async () => {
    const t = await setup();
    teardown = t.teardown;
    await t.channel.start();
    const intruder = new WebSocket(t.fake.uri('ch-1'));
    intruder.on('error', () => undefined);
    const intruderClosed: number[] = [];
    intruder.on('close', (code) => intruderClosed.push(code));
    await waitFor(() => t.channel.state === 'open' && t.channel.stats().channelId === 'ch-2', { what: 'moved to ch-2' });
    expect(t.fake.connections[0]!.closeCode).toBe(KICK_CODE);
    expect(t.fake.attempts.map((a) => a.channelId)).toEqual(['ch-1', 'ch-1', 'ch-2']);
    expect(intruder.readyState).toBe(WebSocket.OPEN);
    expect(intruderClosed).toEqual([]);
    expect(t.rec.gaps.map((g) => g.reason)).toEqual(['start', 'reconnect']);
    intruder.terminate();
  });

  it('renews before expiry by re-subscribing when that moves `expires`', async () => {
    const t = await setup({ rotateBeforeExpiryMs: 150 });
    teardown = t.teardown;
    t.fake.lifetimeMs = 200; // renewal due 50 ms after creation
    await t.channel.start();
    await waitFor(() => t.fake.calls.expires >= 2, { what: 'two renewals' });
    expect(t.fake.calls.subscribe.filter((s) => s.channelId === 'ch-1').length).toBeGreaterThanOrEqual(3);
    expect(t.fake.calls.create).toBe(1);
    expect(t.channel.stats().rotations).toBe(0);
  });

  it('rotates before expiry when re-subscribing does not move `expires`', async () => {
    const t = await setup({ rotateBeforeExpiryMs: 150 });
    teardown = t.teardown;
    t.fake.lifetimeMs = 200;
    t.fake.resubscribeExtends = false;
    await t.channel.start();
    await waitFor(() => t.channel.stats().rotations >= 1 && t.channel.state === 'open', { what: 'rotation' });
    expect(t.rec.states).toContain('open->rotating:expiry');
    expect(t.channel.stats().channelId).not.toBe('ch-1');
    expect(t.rec.gaps.map((g) => g.reason)).toEqual(['start']);
    t.fake.lifetimeMs = 24 * 60 * 60 * 1000; // stop rotating before teardown
  });
});
