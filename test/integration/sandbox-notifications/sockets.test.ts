// The notification websocket: handshake, heartbeats, ping/pong, publishing, and the socket faults.
import { createHook } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../../helpers/wait-for.js';
import { closeOf, connect, queueTopic, refusedStatus, sdk, startHarness, type Harness, type Sdk, type TestSocket } from './harness.js';

let harness: Harness | undefined;
const sockets: TestSocket[] = [];
const PING = JSON.stringify({ message: 'ping' });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await harness?.stop();
  harness = undefined;
});

async function setup(options: Parameters<typeof startHarness>[0] = {}): Promise<{ h: Harness; client: Sdk }> {
  harness = await startHarness(options);
  return { h: harness, client: await sdk(harness.port) };
}

/** A channel subscribed to `queues`' topics, with a socket open on it. */
async function open(client: Sdk, ...queues: string[]): Promise<{ id: string; uri: string; socket: TestSocket }> {
  const channel = await client.api.postNotificationsChannels();
  if (queues.length > 0) await client.api.putNotificationsChannelSubscriptions(channel.id!, queues.map((q) => ({ id: queueTopic(q) })));
  const socket = await connect(channel.connectUri!);
  sockets.push(socket);
  return { id: channel.id!, uri: channel.connectUri!, socket };
}

async function reconnect(uri: string): Promise<TestSocket> {
  const socket = await connect(uri);
  sockets.push(socket);
  return socket;
}

/** Publishes a marker on `queue` and waits until `socket` has it: everything sent earlier has arrived. */
async function flush(h: Harness, socket: TestSocket, queue: string): Promise<void> {
  const marker = randomUUID();
  h.hub.publish(queueTopic(queue), { marker });
  await waitFor(() => socket.on(queueTopic(queue)).some((f) => f.eventBody.marker === marker), { what: `marker on ${queue}` });
}

describe('handshake', () => {
  it('refuses unknown paths and unknown channels with 404', async () => {
    const { h, client } = await setup();
    const { id } = await open(client);
    expect(await refusedStatus(`ws://127.0.0.1:${h.port}/elsewhere`)).toBe(404);
    expect(await refusedStatus(`ws://127.0.0.1:${h.port}/channels/streaming-0-unknown`)).toBe(404);
    expect(await refusedStatus(`ws://127.0.0.1:${h.port}/channels/${id}/more`)).toBe(404);
    expect(h.hub.counters.handshakesRefused).toBe(3);
  });

  it('lets a second socket kick the first', async () => {
    const { h, client } = await setup();
    const { uri, socket: first } = await open(client, 'q1');
    const second = await reconnect(uri);
    expect(await closeOf(first)).toEqual({ code: 1000, reason: 'Another socket connected to this channel' });
    await flush(h, second, 'q1');
    expect(first.on(queueTopic('q1'))).toEqual([]);
    expect(h.hub.counters).toMatchObject({ socketsOpened: 2, socketsKicked: 1 });
    expect(h.hub.connections()).toBe(1);
  });
});

describe('liveness', () => {
  it('sends heartbeats every heartbeatIntervalMs', async () => {
    const { client } = await setup({ heartbeatIntervalMs: 40 });
    const { socket } = await open(client);
    await waitFor(() => socket.frames.length >= 3, { what: 'three heartbeats' });
    expect(socket.frames.slice(0, 3)).toEqual(Array(3).fill({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } }));
  });

  it('answers {"message":"ping"} with a pong and ignores other text', async () => {
    const { h, client } = await setup();
    const { socket } = await open(client);
    socket.ws.send('hello');
    socket.ws.send(JSON.stringify({ message: 'pingpong' }));
    socket.ws.send(PING);
    await waitFor(() => socket.frames.length === 1, { what: 'pong' });
    expect(socket.frames).toEqual([{ topicName: 'channel.metadata', eventBody: { message: 'pong' } }]);
    expect(h.hub.counters.pingsAnswered).toBe(1);
  });

  it('stops and restarts heartbeats for one channel', async () => {
    const { h, client } = await setup({ heartbeatIntervalMs: 20 });
    const quiet = await open(client);
    const control = await open(client);
    expect(h.hub.stopHeartbeats(true, quiet.id)).toBe(true);
    const quietBefore = quiet.socket.frames.length;
    const controlBefore = control.socket.frames.length;
    await waitFor(() => control.socket.frames.length >= controlBefore + 4, { what: 'heartbeats on the other channel' });
    expect(quiet.socket.frames.length).toBe(quietBefore);
    // Pongs still come: only heartbeats stop.
    quiet.socket.ws.send(PING);
    await waitFor(() => quiet.socket.on('channel.metadata').some((f) => f.eventBody.message === 'pong'), { what: 'pong' });
    h.hub.stopHeartbeats(false, quiet.id);
    await waitFor(() => quiet.socket.frames.filter((f) => f.eventBody.message === 'WebSocket Heartbeat').length > 0, { what: 'heartbeats back' });
    expect(h.hub.stopHeartbeats(true, 'streaming-0-unknown')).toBe(false);
  });

  it('silences a socket: open, but no heartbeats, pongs or events until a new socket connects', async () => {
    const { h, client } = await setup({ heartbeatIntervalMs: 20 });
    const mute = await open(client, 'q1');
    const control = await open(client, 'q1');
    expect(h.hub.silence(mute.id)).toBe(1);
    const seen = mute.socket.frames.length;
    mute.socket.ws.send(PING);
    control.socket.ws.send(PING);
    await waitFor(() => control.socket.on('channel.metadata').some((f) => f.eventBody.message === 'pong'), { what: 'control pong' });
    const heartbeats = (): number => control.socket.frames.filter((f) => f.eventBody.message === 'WebSocket Heartbeat').length;
    const target = heartbeats() + 3;
    await waitFor(() => heartbeats() >= target, { what: 'control heartbeats' });
    expect(h.hub.publish(queueTopic('q1'), { n: 1 })).toBe(1);
    await waitFor(() => control.socket.on(queueTopic('q1')).length === 1, { what: 'control event' });
    expect(mute.socket.frames.length).toBe(seen);
    expect(mute.socket.ws.readyState).toBe(WebSocket.OPEN);
    expect(h.hub.channels().find((c) => c.id === mute.id)).toMatchObject({ connected: true, silenced: true });

    const fresh = await reconnect(mute.uri);
    fresh.ws.send(PING);
    await waitFor(() => fresh.on('channel.metadata').some((f) => f.eventBody.message === 'pong'), { what: 'pong on the new socket' });
  });
});

describe('publish', () => {
  it('delivers the Genesys envelope only to open sockets whose channel subscribes the topic', async () => {
    const { h, client } = await setup();
    const a = await open(client, 'q1', 'q2');
    const b = await open(client, 'q2', 'q3');
    const unconnected = await client.api.postNotificationsChannels();
    await client.api.putNotificationsChannelSubscriptions(unconnected.id!, [{ id: queueTopic('q1') }]);
    const body = { id: 'conv-1', participants: [{ id: 'p1', purpose: 'customer', attributes: {} }] };

    expect(h.hub.publish(queueTopic('q1'), body)).toBe(1);
    expect(h.hub.publish(queueTopic('nobody'), body)).toBe(0);
    await flush(h, a.socket, 'q2');
    await flush(h, b.socket, 'q3');
    const [frame] = a.socket.on(queueTopic('q1'));
    expect(Object.keys(frame!)).toEqual(['topicName', 'version', 'eventBody', 'metadata']);
    expect(frame).toEqual({ topicName: queueTopic('q1'), version: '2', eventBody: body, metadata: { CorrelationId: expect.stringMatching(UUID) } });
    expect(a.socket.on(queueTopic('q1'))).toHaveLength(1);
    expect(b.socket.on(queueTopic('q1'))).toEqual([]);
    // One correlation id per event, shared by every socket it went to.
    h.hub.publish(queueTopic('q2'), { shared: true });
    await waitFor(() => a.socket.on(queueTopic('q2')).length === 2 && b.socket.on(queueTopic('q2')).length === 2, { what: 'shared event' });
    expect(a.socket.on(queueTopic('q2'))[1]!.metadata).toEqual(b.socket.on(queueTopic('q2'))[1]!.metadata);
    // q1, nobody, q2 (a and b), q3, q2 (a and b).
    expect(h.hub.counters).toMatchObject({ eventsPublished: 5, framesPublished: 6 });
  });

  it('replays nothing: events published while no socket is open are lost', async () => {
    const { h, client } = await setup();
    const channel = await client.api.postNotificationsChannels();
    await client.api.putNotificationsChannelSubscriptions(channel.id!, [{ id: queueTopic('q1') }]);
    expect(h.hub.publish(queueTopic('q1'), { n: 'before connect' })).toBe(0);
    const first = await reconnect(channel.connectUri!);
    await flush(h, first, 'q1');
    expect(h.hub.dropSockets(channel.id)).toBe(1);
    expect(await closeOf(first)).toMatchObject({ code: 1006 });
    expect(h.hub.publish(queueTopic('q1'), { n: 'while dropped' })).toBe(0);
    const second = await reconnect(channel.connectUri!);
    await flush(h, second, 'q1');
    const bodies = [...first.frames, ...second.frames].map((f) => f.eventBody.n).filter((n) => n !== undefined);
    expect(bodies).toEqual([]);
    expect(second.on(queueTopic('q1'))).toHaveLength(1);
  });
});

describe('channel end and system frames', () => {
  it('announces socket_closing, closes the socket later with 1001, and keeps the channel', async () => {
    const { h, client } = await setup({ socketClosingDelayMs: 60_000 });
    const { id, uri, socket } = await open(client);
    expect(h.hub.socketClosing(id, 30)).toBe(1);
    const closed = await closeOf(socket);
    expect(closed).toEqual({ code: 1001, reason: 'Closing for maintenance' });
    expect(socket.frames).toEqual([
      { topicName: 'v2.system.socket_closing', version: '2', eventBody: expect.any(Object), metadata: { CorrelationId: expect.stringMatching(UUID) } },
    ]);
    expect(h.hub.channels().map((c) => c.id)).toEqual([id]);
    const again = await reconnect(uri);
    expect(again.isClosed()).toBe(false);
  });

  it('closes the socket of an expired channel with 1000 and refuses to reconnect', async () => {
    const { h, client } = await setup({ channelLifetimeMs: 300 });
    const { uri, socket } = await open(client);
    expect(await closeOf(socket)).toEqual({ code: 1000, reason: 'Channel expired' });
    expect(await refusedStatus(uri)).toBe(404);
    expect(h.hub.channels()).toEqual([]);
  });

  it('sends token_revoked to the channels of revoked tokens, then closes and deletes them', async () => {
    const { h, client } = await setup();
    const otherToken = await sdk(h.port);
    const revoked = await open(client, 'q1');
    const kept = await open(otherToken, 'q1');
    expect(h.hub.tokenRevoked(h.auth.revoke().filter((t) => t === client.token))).toBe(1);
    expect(await closeOf(revoked.socket)).toEqual({ code: 1000, reason: 'Token revoked' });
    expect(revoked.socket.frames.map((f) => f.topicName)).toEqual([`v2.system.token_revoked.${revoked.id}`]);
    expect(h.hub.channels().map((c) => c.id)).toEqual([kept.id]);
    await flush(h, kept.socket, 'q1');
    expect(kept.socket.isClosed()).toBe(false);
  });

  it('sends no_longer_subscribed and drops the channel\'s topics', async () => {
    const { h, client } = await setup();
    const { id, socket } = await open(client, 'q1');
    expect(h.hub.noLongerSubscribed(id)).toBe(true);
    await waitFor(() => socket.frames.length === 1, { what: 'system frame' });
    expect(socket.frames[0]).toMatchObject({ topicName: `v2.system.no_longer_subscribed.${id}`, version: '2' });
    expect(h.hub.publish(queueTopic('q1'), {})).toBe(0);
    expect((await client.api.getNotificationsChannelSubscriptions(id)).entities).toEqual([]);
    expect(h.hub.noLongerSubscribed('streaming-0-unknown')).toBe(false);
  });
});

describe('close', () => {
  it('closes every socket and timer and leaves no handle behind', async () => {
    // Every timer and TCP handle created from here on, until it is destroyed (cleared, fired or
    // closed), with where it was made. Left out: the polling timers of `waitFor` itself and the
    // HTTP Date-header cache timer Node keeps for up to a second.
    const alive = new Map<number, string>();
    const hook = createHook({
      init(id, type) {
        if (type !== 'Timeout' && type !== 'TCPWRAP' && type !== 'TCPSERVERWRAP') return;
        const stack = new Error().stack ?? '';
        if (!stack.includes('wait-for.ts') && !stack.includes('utcDate')) alive.set(id, `${type}${stack.split('\n').slice(2, 9).join('\n')}`);
      },
      destroy(id) {
        alive.delete(id);
      },
    }).enable();
    try {
      const { h, client } = await setup({ heartbeatIntervalMs: 20 });
      const a = await open(client, 'q1');
      const b = await open(client, 'q2');
      h.hub.socketClosing(b.id, 60_000);
      await waitFor(() => a.socket.frames.length > 0, { what: 'a heartbeat' });

      await h.stop();
      harness = undefined;
      expect(await closeOf(a.socket)).toEqual({ code: 1001, reason: 'Sandbox stopping' });
      expect(await closeOf(b.socket)).toMatchObject({ code: 1001 });
      expect(h.hub.connections()).toBe(0);
      expect(h.hub.channels()).toEqual([]);
      await waitFor(() => alive.size === 0, { what: 'no handle left', timeoutMs: 2_000 }).catch((err: unknown) => {
        throw new Error(`still alive:\n${[...alive.values()].join('\n')}`, { cause: err });
      });
      await expect(h.hub.close()).resolves.toBeUndefined();
    } finally {
      hook.disable();
    }
  });
});
