/** The sandbox's `{"result":"404"}` message and the counter of evictions that hit a channel in use. */
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { connect, queueTopic, sdk, startHarness, statusOf, type Harness, type TestSocket } from './harness.js';

let harness: Harness | undefined;
const sockets: TestSocket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await harness?.stop();
  harness = undefined;
});

async function connectedChannel(h: Harness): Promise<{ id: string; socket: TestSocket; sdk: Awaited<ReturnType<typeof sdk>> }> {
  const client = await sdk(h.port);
  const channel = await client.api.postNotificationsChannels();
  await client.api.putNotificationsChannelSubscriptions(channel.id!, [{ id: queueTopic('q1') }]);
  const socket = await connect(channel.connectUri!);
  sockets.push(socket);
  await waitFor(() => h.hub.connections() === 1, { what: 'socket connected' });
  return { id: channel.id!, socket, sdk: client };
}

describe('channelGone', () => {
  it('deletes the channel, sends {"result":"404"} and leaves the socket open and silent', async () => {
    const h = (harness = await startHarness({ heartbeatIntervalMs: 50 }));
    const { id, socket, sdk: client } = await connectedChannel(h);
    await waitFor(() => socket.frames.length > 0, { what: 'a heartbeat' });
    expect(h.hub.channelGone(id)).toBe(true);
    await waitFor(() => socket.frames.some((f) => (f as unknown as { result?: string }).result === '404'), { what: 'the result message' });
    const seen = socket.frames.length;
    expect(await statusOf(client.extended.headNotificationsChannel(id))).toBe(404);
    expect(h.hub.publish(queueTopic('q1'), { id: 'c1' })).toBe(0);
    socket.ws.send('{"message":"ping"}');
    // A witness socket on another channel: once it has had three heartbeats, the gone socket would have too.
    const witnessChannel = await client.api.postNotificationsChannels();
    const witness = await connect(witnessChannel.connectUri!);
    sockets.push(witness);
    await waitFor(() => witness.frames.length >= 3, { what: 'three heartbeats on another socket' });
    expect(socket.frames.length).toBe(seen);
    expect(socket.isClosed()).toBe(false);
    expect(h.hub.counters.channelsGone).toBe(1);
    expect(h.hub.channelGone(id)).toBe(false);
  });

  it('is reachable through the control API, with another result', async () => {
    const h = (harness = await startHarness());
    const { id, socket } = await connectedChannel(h);
    const control = (path: string, body: unknown): Promise<Response> =>
      fetch(`http://127.0.0.1:${String(h.port)}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await control(`/sandbox/channels/${id}/gone`, { result: '401' })).status).toBe(200);
    await waitFor(() => socket.frames.some((f) => (f as unknown as { result?: string }).result === '401'), { what: 'the result message' });
    expect((await control('/sandbox/channels/streaming-0-unknown/gone', {})).status).toBe(404);
  });
});

describe('eviction counters', () => {
  it('counts an eviction that hits a channel with a socket apart from one that hits an idle channel', async () => {
    const h = (harness = await startHarness({ maxChannelsPerClient: 2 }));
    const { api } = await sdk(h.port);
    const a = await api.postNotificationsChannels();
    await api.postNotificationsChannels();
    await api.postNotificationsChannels(); // neither has a socket: the oldest (a) goes
    expect(h.hub.counters).toMatchObject({ channelsEvicted: 1, connectedChannelsEvicted: 0 });
    expect(h.hub.channels().map((c) => c.id)).not.toContain(a.id);
    for (const c of h.hub.channels()) sockets.push(await connect(`ws://127.0.0.1:${String(h.port)}/channels/${c.id}`));
    await waitFor(() => h.hub.connections() === 2, { what: 'both connected' });
    await api.postNotificationsChannels();
    expect(h.hub.counters).toMatchObject({ channelsEvicted: 2, connectedChannelsEvicted: 1 });
  });
});
