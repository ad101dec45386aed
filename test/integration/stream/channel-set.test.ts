/** The channel set under a channel cap: rotations of the whole set never hold more sockets than the cap. */
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelSet } from '../../../src/daemon/channel-set.js';
import { FakeStreaming, recordingLogger, type ServerConnection } from './fake-streaming.js';
import { FAST, recorder } from './helpers.js';

let teardown: (() => Promise<void>) | undefined;
afterEach(async () => {
  await teardown?.();
  teardown = undefined;
});

/** Most server-side sockets open at the same moment. */
function peakOpen(connections: readonly ServerConnection[]): number {
  const edges = connections.flatMap((c) => [
    { at: c.openedAt, d: 1 },
    { at: c.closedAt ?? Number.POSITIVE_INFINITY, d: -1 },
  ]);
  // At equal times a close counts before an open: the old socket was gone when the new one came.
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let open = 0;
  let peak = 0;
  for (const e of edges) peak = Math.max(peak, (open += e.d));
  return peak;
}

async function setSetup(maxChannels: number, topics: readonly string[]) {
  const fake = await FakeStreaming.start();
  const rec = recorder();
  const logger = recordingLogger();
  const set = new ChannelSet(FAST, { api: fake.api, logger, events: rec.events }, { maxChannels, topicsPerChannel: 1 });
  teardown = async () => {
    await set.stop();
    await fake.stop();
    expect(logger.errors).toEqual([]);
  };
  await set.start(topics);
  return { fake, rec, set };
}

describe('ChannelSet at and below the channel cap', () => {
  it('below the cap, rotates every channel one at a time with an overlap each, never above the cap', async () => {
    const { fake, rec, set } = await setSetup(3, ['v2.flows.a', 'v2.flows.b']);
    await set.rotateAll('token-renewed');
    expect(set.stats().map((s) => s.rotations)).toEqual([1, 1]);
    expect(rec.gaps.map((g) => g.reason)).toEqual(['start', 'start']);
    expect(peakOpen(fake.connections)).toBeLessThanOrEqual(3);
  });

  it('at the cap, rotates break-before-make: never more sockets than the cap, and each switch is a gap', async () => {
    const { fake, rec, set } = await setSetup(2, ['v2.flows.a', 'v2.flows.b']);
    await set.rotateAll('token-renewed');
    expect(set.stats().map((s) => s.rotations)).toEqual([1, 1]);
    expect(rec.gaps.map((g) => g.reason).sort()).toEqual(['rotation', 'rotation', 'start', 'start']);
    expect(peakOpen(fake.connections)).toBeLessThanOrEqual(2);
  });

  it('refuses a topic list that would need more channels than the cap', async () => {
    await expect(setSetup(2, ['v2.flows.a', 'v2.flows.b', 'v2.flows.c'])).rejects.toMatchObject({ code: 'stream.too-many-topics' });
  });
});
