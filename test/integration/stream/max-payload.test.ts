/** A frame far beyond any real snapshot closes its socket (then the channel reconnects); it is never delivered. */
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { setup } from './helpers.js';

let teardown: (() => Promise<void>) | undefined;
afterEach(async () => {
  await teardown?.();
  teardown = undefined;
});

describe('NotificationChannel maxPayload', () => {
  it('closes the socket on a 10 MB frame, reconnects, and reports the gap', async () => {
    const t = await setup();
    teardown = t.teardown;
    await t.channel.start();
    const first = t.fake.openOn('ch-1')[0]!;
    const huge = JSON.stringify({ topicName: 'v2.flows.f1', version: '2', eventBody: { pad: 'x'.repeat(10 * 1024 * 1024) } });
    first.ws.send(huge);
    await waitFor(() => first.closedAt !== undefined, { what: 'the socket closed' });
    // 1009: "message too big", sent by the client's ws before it buffered the payload.
    expect(first.closeCode).toBe(1009);
    await waitFor(() => t.channel.state === 'open' && t.rec.gaps.length === 2, { what: 'reconnected' });
    expect(t.rec.gaps[1]!.reason).toBe('reconnect');
    expect(t.rec.frames.filter((f) => f.frame.kind !== 'heartbeat' && f.frame.kind !== 'pong')).toEqual([]);
    // A frame of a realistic size still arrives on the new socket.
    const channelId = t.channel.stats().channelId!;
    t.fake.send(channelId, 'v2.flows.f1', { pad: 'y'.repeat(300 * 1024) });
    await waitFor(() => t.rec.frames.some((f) => f.frame.kind === 'flow'), { what: 'a 300 KB frame' });
  });
});
