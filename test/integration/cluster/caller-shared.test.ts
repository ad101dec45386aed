// The Genesys caller with a cluster's shared budget plugged in (a recording stand-in here; the
// real one is tested in budget.test.ts): every call waits for its shared slot, a 429 is told to
// the other instances, and their 429s pause this instance's family.
import { afterEach, describe, expect, it } from 'vitest';
import type { SharedBudgetPort } from '../../../src/genesys/caller.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startRig, type Rig } from '../genesys/harness.js';

const PATCH = '/api/v2/conversations/{conversationId}/participants/{participantId}/attributes';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

/** A shared budget that holds every call until `open()`, and records pauses told. */
function gatedBudget() {
  const takes: number[] = [];
  const told: [string, number][] = [];
  let release: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (release = resolve));
  const port: SharedBudgetPort = {
    async take(priority) {
      takes.push(priority);
      await gate;
    },
    sharePause(family, ms) {
      told.push([family, ms]);
      return Promise.resolve();
    },
  };
  return {
    port,
    takes,
    told,
    open() {
      release();
      gate = Promise.resolve();
    },
  };
}

describe('ApiCaller with a shared budget', () => {
  it('sends no call before the cluster grants its slot', async () => {
    const shared = gatedBudget();
    rig = await startRig({}, {}, { shared: shared.port });
    const before = rig.sandbox.calls.length;
    const queues = rig.client.findQueuesByName('Support');
    await waitFor(() => shared.takes.length > 0, { what: 'a take' });
    expect(rig.sandbox.calls.length).toBe(before);
    shared.open();
    await queues;
    expect(rig.sandbox.calls.length).toBeGreaterThan(before);
  });

  it('tells the other instances about a 429', async () => {
    const shared = gatedBudget();
    shared.open();
    rig = await startRig({}, { retryAfterCapMs: 1_000 }, { shared: shared.port });
    const { sandbox, client } = rig;
    sandbox.traffic.pause();
    const conv = await sandbox.traffic.startOne({ media: 'call', script: 'connect', queueId: sandbox.options.queues[0]!.id });
    while (!sandbox.org.connected.has(conv.id)) sandbox.traffic.step(conv.id);
    const customer = sandbox.org.conversations.get(conv.id)!.participants.find((p) => p.purpose === 'customer')!;
    sandbox.faults.add({ endpoint: PATCH, status: 429, count: 1, retryAfterS: 1 });
    await client.patchParticipantAttributes(conv.id, customer.id, { 'enricher.tier': 'gold' });
    expect(shared.told).toEqual([['writes', 1_000]]);
  });

  it('pauses a family when another instance got a 429 on it, and ignores unknown families', async () => {
    const shared = gatedBudget();
    shared.open();
    rig = await startRig({}, {}, { shared: shared.port });
    rig.client.peerRateLimited('analytics', 800);
    rig.client.peerRateLimited('no-such-family', 800);
    const paused = rig.client.pauses().filter((p) => p.remainingMs > 0);
    expect(paused.map((p) => p.family)).toEqual(['analytics']);
    expect(paused[0]!.remainingMs).toBeLessThanOrEqual(800);
    expect(shared.told).toEqual([]);
  });
});
