// The REST side of notification channels, driven through the official SDK.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { closeOf, connect, LIMITED_CLIENT, queueTopic, sdk, startHarness, statusOf, type Harness, type TestSocket } from './harness.js';

let harness: Harness | undefined;
const sockets: TestSocket[] = [];

async function start(...args: Parameters<typeof startHarness>): Promise<Harness> {
  harness = await startHarness(...args);
  return harness;
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await harness?.stop();
  harness = undefined;
});

const topics = (n: number, from = 0): { id: string }[] => Array.from({ length: n }, (_, i) => ({ id: queueTopic(`q${from + i}`) }));

describe('channels', () => {
  it('creates a channel with a streaming id, a connect URI on this server and an expiry', async () => {
    const h = await start();
    const { api } = await sdk(h.port);
    const before = Date.now();
    const channel = await api.postNotificationsChannels();
    expect(channel.id).toMatch(/^streaming-0-[a-z2-7]{26}$/);
    expect(channel.connectUri).toBe(`ws://127.0.0.1:${h.port}/channels/${channel.id!}`);
    const expires = Date.parse(channel.expires!);
    expect(expires).toBeGreaterThanOrEqual(before + h.options.channelLifetimeMs);
    expect(expires).toBeLessThanOrEqual(Date.now() + h.options.channelLifetimeMs);
    expect(h.hub.channels()).toMatchObject([{ id: channel.id, clientId: 'sandbox-client', topics: 0, connected: false }]);
  });

  it('lists this token\'s channels by default and the whole client\'s with includechannels=oauthclient', async () => {
    const h = await start();
    const first = await sdk(h.port);
    const second = await sdk(h.port);
    const other = await sdk(h.port, LIMITED_CLIENT);
    const a = await first.api.postNotificationsChannels();
    const b = await second.api.postNotificationsChannels();
    await other.api.postNotificationsChannels();

    expect((await first.api.getNotificationsChannels()).entities).toEqual([a]);
    expect((await second.api.getNotificationsChannels({ includechannels: 'token' })).entities).toEqual([b]);
    // Channels of other tokens are shown to exist, without their id (as the SDK documents).
    expect((await first.api.getNotificationsChannels({ includechannels: 'oauthclient' })).entities).toEqual([a, { expires: b.expires }]);
    expect(await statusOf(first.extended.getNotificationsChannels({ includechannels: 'everyone' }))).toBe(400);
  });

  it('answers HEAD with 200 for a live channel and 404 for unknown, foreign or expired ones', async () => {
    const h = await start();
    const mine = await sdk(h.port);
    const other = await sdk(h.port, LIMITED_CLIENT);
    const channel = await mine.api.postNotificationsChannels();
    expect(await statusOf(mine.extended.headNotificationsChannel(channel.id!))).toBe(200);
    expect(await statusOf(mine.extended.headNotificationsChannel('streaming-0-doesnotexist'))).toBe(404);
    expect(await statusOf(other.extended.headNotificationsChannel(channel.id!))).toBe(404);
    expect(h.hub.expireChannel(channel.id!)).toBe(true);
    expect(await statusOf(mine.extended.headNotificationsChannel(channel.id!))).toBe(404);
    expect(h.hub.expireChannel(channel.id!)).toBe(false);
  });
});

describe('subscriptions', () => {
  it('lists each topic as Permitted or Rejected with missing permissions when ignoreErrors is set', async () => {
    const h = await start();
    const { api } = await sdk(h.port, LIMITED_CLIENT);
    const channel = await api.postNotificationsChannels();
    const answer = await api.putNotificationsChannelSubscriptions(
      channel.id!,
      [{ id: queueTopic('q1') }, { id: 'v2.flows.f1' }, { id: queueTopic('denied-queue') }, { id: 'v2.no.such.topic' }],
      { ignoreErrors: true },
    );
    expect(answer.entities).toEqual([
      { id: queueTopic('q1'), state: 'Permitted' },
      { id: 'v2.flows.f1', state: 'Rejected', rejectionReason: expect.any(String), missingPermissions: ['architect:flow:view'] },
      { id: queueTopic('denied-queue'), state: 'Rejected', rejectionReason: expect.any(String), missingPermissions: ['routing:queue:view'] },
      { id: 'v2.no.such.topic', state: 'Rejected', rejectionReason: expect.any(String), missingPermissions: [] },
    ]);
    expect((await api.getNotificationsChannelSubscriptions(channel.id!)).entities).toEqual([{ id: queueTopic('q1') }]);
  });

  it('fails the whole call with 403 on one denied topic without ignoreErrors, and subscribes nothing', async () => {
    const h = await start();
    const { api } = await sdk(h.port, LIMITED_CLIENT);
    const channel = await api.postNotificationsChannels();
    await api.putNotificationsChannelSubscriptions(channel.id!, [{ id: queueTopic('q1') }]);
    await expect(api.putNotificationsChannelSubscriptions(channel.id!, [{ id: queueTopic('q2') }, { id: 'v2.flows.f1' }])).rejects.toMatchObject({
      status: 403,
      code: 'missing.permissions',
    });
    await expect(api.postNotificationsChannelSubscriptions(channel.id!, [{ id: 'v2.flows.f1' }])).rejects.toMatchObject({ status: 403 });
    await expect(api.postNotificationsChannelSubscriptions(channel.id!, [{ id: 'v2.nope' }])).rejects.toMatchObject({ status: 400 });
    expect((await api.getNotificationsChannelSubscriptions(channel.id!)).entities).toEqual([{ id: queueTopic('q1') }]);
  });

  it('holds 1,000 topics on a channel and answers 400 past that', async () => {
    const h = await start();
    const { api } = await sdk(h.port);
    const channel = await api.postNotificationsChannels();
    await expect(api.putNotificationsChannelSubscriptions(channel.id!, topics(1001))).rejects.toMatchObject({ status: 400 });
    expect(h.hub.channels()[0]?.topics).toBe(0);
    const full = await api.putNotificationsChannelSubscriptions(channel.id!, topics(1000));
    expect(full.entities).toHaveLength(1000);
    await expect(api.postNotificationsChannelSubscriptions(channel.id!, topics(1, 1000))).rejects.toMatchObject({ status: 400 });
    // Topics already on the channel do not count twice.
    await api.postNotificationsChannelSubscriptions(channel.id!, topics(5));
    expect((await api.getNotificationsChannelSubscriptions(channel.id!)).entities).toHaveLength(1000);
  });

  it('adds with POST, replaces with PUT, removes all with DELETE', async () => {
    const h = await start();
    const { api } = await sdk(h.port);
    const id = (await api.postNotificationsChannels()).id!;
    await api.putNotificationsChannelSubscriptions(id, topics(2));
    await api.postNotificationsChannelSubscriptions(id, topics(2, 1));
    expect((await api.getNotificationsChannelSubscriptions(id)).entities).toEqual(topics(3));
    await api.putNotificationsChannelSubscriptions(id, topics(1, 7));
    expect((await api.getNotificationsChannelSubscriptions(id)).entities).toEqual(topics(1, 7));
    await api.deleteNotificationsChannelSubscriptions(id);
    expect((await api.getNotificationsChannelSubscriptions(id)).entities).toEqual([]);
  });

  it('answers 404 for unknown and foreign channels and 400 for a malformed body', async () => {
    const h = await start();
    const mine = await sdk(h.port);
    const other = await sdk(h.port, LIMITED_CLIENT);
    const id = (await mine.api.postNotificationsChannels()).id!;
    await expect(mine.api.putNotificationsChannelSubscriptions('streaming-0-nope', topics(1))).rejects.toMatchObject({ status: 404 });
    await expect(other.api.putNotificationsChannelSubscriptions(id, topics(1))).rejects.toMatchObject({ status: 404 });
    await expect(other.api.getNotificationsChannelSubscriptions(id)).rejects.toMatchObject({ status: 404 });
    await expect(other.api.deleteNotificationsChannelSubscriptions(id)).rejects.toMatchObject({ status: 404 });
    await expect(mine.api.putNotificationsChannelSubscriptions(id, [{ name: 'x' } as never])).rejects.toMatchObject({ status: 400 });
  });
});

describe('limits and expiry', () => {
  it('evicts the oldest channel without a socket when a client creates its 21st', async () => {
    const h = await start();
    const { api, extended } = await sdk(h.port);
    const created = [];
    for (let i = 0; i < 20; i++) created.push(await api.postNotificationsChannels());
    sockets.push(await connect(created[0]!.connectUri!));
    await waitFor(() => h.hub.channels()[0]?.connected, { what: 'first channel connected' });
    const newest = await api.postNotificationsChannels();
    const ids = h.hub.channels().map((c) => c.id);
    expect(ids).toHaveLength(20);
    expect(ids).toContain(created[0]!.id);
    expect(ids).not.toContain(created[1]!.id);
    expect(ids.at(-1)).toBe(newest.id);
    expect(await statusOf(extended.headNotificationsChannel(created[1]!.id!))).toBe(404);
    expect(h.hub.counters.channelsEvicted).toBe(1);
  });

  it('evicts the oldest channel, closing its socket, when every channel is connected', async () => {
    const h = await start({ maxChannelsPerClient: 2 });
    const { api } = await sdk(h.port);
    const a = await api.postNotificationsChannels();
    const b = await api.postNotificationsChannels();
    const sa = await connect(a.connectUri!);
    sockets.push(sa, await connect(b.connectUri!));
    await waitFor(() => h.hub.connections() === 2, { what: 'two sockets' });
    await api.postNotificationsChannels();
    expect(await closeOf(sa)).toMatchObject({ code: 1000, reason: expect.stringContaining('evicted') });
    expect(h.hub.channels().map((c) => c.id)).not.toContain(a.id);
  });

  it.each([
    [true, 60_000],
    [false, 0],
  ])('with resubscribeExtendsChannel %s a subscribe moves expires by %d ms; HEAD never does', async (extend, moved) => {
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const h = await start({ resubscribeExtendsChannel: extend }, { now: () => clock });
    const { api } = await sdk(h.port);
    const channel = await api.postNotificationsChannels();
    const created = Date.parse(channel.expires!);
    clock += 60_000;
    await api.headNotificationsChannel(channel.id!);
    expect((await api.getNotificationsChannels()).entities?.[0]?.expires).toBe(channel.expires);
    await api.putNotificationsChannelSubscriptions(channel.id!, topics(1));
    expect(Date.parse((await api.getNotificationsChannels()).entities![0]!.expires!)).toBe(created + moved);
    clock += 60_000;
    await api.postNotificationsChannelSubscriptions(channel.id!, topics(1, 1));
    expect(Date.parse(h.hub.channels()[0]!.expires)).toBe(created + 2 * moved);
  });

  it.each([
    [true, 200],
    [false, 404],
  ])('a short-lived channel kept busy with subscribes (extension %s) ends with HEAD %d', async (extend, status) => {
    const h = await start({ channelLifetimeMs: 400, resubscribeExtendsChannel: extend });
    const { api, extended } = await sdk(h.port);
    const busy = await api.postNotificationsChannels();
    const idle = await api.postNotificationsChannels();
    // Re-subscribe `busy` on every poll until the untouched channel has expired.
    await waitFor(
      async () => {
        await statusOf(extended.putNotificationsChannelSubscriptions(busy.id!, topics(1)));
        return (await statusOf(extended.headNotificationsChannel(idle.id!))) === 404;
      },
      { what: 'idle channel expired' },
    );
    expect(await statusOf(extended.headNotificationsChannel(busy.id!))).toBe(status);
    expect(h.hub.counters.channelsExpired).toBeGreaterThanOrEqual(extend ? 1 : 2);
  });
});
