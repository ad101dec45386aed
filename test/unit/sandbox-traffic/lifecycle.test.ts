import type { Models } from 'purecloud-platform-client-v2';
import { describe, expect, it } from 'vitest';
import { isTerminal, MEDIA_KEY, SANDBOX_MEDIA, type SandboxMedia } from '../../../src/sandbox/org/conversation.js';
import { TrafficGenerator, type StartOneOptions } from '../../../src/sandbox/traffic/generator.js';
import type { StepLabel } from '../../../src/sandbox/traffic/plan.js';
import { FakeOrg, QUEUES, type Published } from './fake-org.js';

const [Q1, Q2] = QUEUES.map((q) => q.id) as [string, string];

/** Plays one conversation step by step while the generator is paused. */
async function playThrough(opts: StartOneOptions) {
  const org = new FakeOrg();
  const labels: StepLabel[] = [];
  const traffic = new TrafficGenerator(org, { onEvent: (e) => { if (e.type === 'step') labels.push(e.step); } });
  traffic.pause();
  const conv = await traffic.startOne({ queueId: Q1, seed: 42, ...opts });
  expect(org.of(conv.id)).toHaveLength(1);
  let guard = 0;
  while (traffic.step(conv.id)) {
    guard++;
    expect(org.of(conv.id)).toHaveLength(guard + 1); // one full snapshot after every change
  }
  traffic.stop();
  return { org, conv, labels, snaps: org.of(conv.id), traffic };
}

type GenericParticipant = Models.QueueConversationEventTopicParticipant;

function leg(p: GenericParticipant | undefined, media: SandboxMedia): Models.QueueConversationEventTopicChat {
  const legs = (p as Record<string, unknown> | undefined)?.[MEDIA_KEY[media]] as Models.QueueConversationEventTopicChat[] | undefined;
  expect(legs).toHaveLength(1);
  return legs![0]!;
}

function byPurpose(snap: Published, purpose: string): GenericParticipant[] {
  return (snap.generic.participants ?? []).filter((p) => p.purpose === purpose);
}

function firstWith(snaps: Published[], pred: (s: Published) => boolean): Published {
  const found = snaps.find(pred);
  expect(found).toBeDefined();
  return found!;
}

function agentIn(state: string, media: SandboxMedia) {
  return (s: Published) => byPurpose(s, 'agent').some((p) => leg(p, media).state === state);
}

/** Every snapshot must place state on the media entries (generic) and on the participant (media-specific). */
function expectStatePlacement(snaps: Published[], media: SandboxMedia): void {
  for (const s of snaps) {
    const generic = s.generic.participants ?? [];
    const specific = s.media.participants ?? [];
    expect(specific.map((p) => p.id)).toEqual(generic.map((p) => p.id));
    generic.forEach((p, i) => {
      expect(p).not.toHaveProperty('state');
      // Ended legs may read `disconnected` in one shape and `terminated` in the other.
      const genericState = leg(p, media).state!;
      const specificState = specific[i]?.state ?? '';
      if (isTerminal(genericState)) expect(isTerminal(specificState)).toBe(true);
      else expect(specificState).toBe(genericState);
      // A dialled callback carries a calls[] entry beside its callbacks[] entry.
      const allowed = media === 'callback' ? ['calls'] : [];
      for (const other of SANDBOX_MEDIA.filter((m) => m !== media)) {
        if (!allowed.includes(MEDIA_KEY[other])) expect(p).not.toHaveProperty(MEDIA_KEY[other]);
      }
    });
  }
}

function expectEnded(snaps: Published[], media: SandboxMedia): void {
  const last = snaps[snaps.length - 1]!;
  for (const p of last.generic.participants ?? []) {
    expect(leg(p, media).state).toBe(p.purpose === 'customer' || p.purpose === 'agent' ? 'disconnected' : 'terminated');
    expect(leg(p, media).disconnectedTime).toBeDefined();
    expect(p.endTime).toBeDefined();
  }
}

/** The customer's address as real payloads show it per medium (docs/sandbox.md). */
function expectCustomerAddress(customer: GenericParticipant, media: SandboxMedia, messageType: string | undefined): void {
  switch (media) {
    case 'chat':
      if (customer.address !== undefined) expect(customer.address).toMatch(/^[0-9a-f]{32}@guest\./);
      break;
    case 'email':
      expect(customer.address).toMatch(/^[a-z.]+\d+@example\.(com|org|net)$/);
      break;
    case 'callback':
      expect(customer).not.toHaveProperty('address');
      break;
    case 'message':
      if (messageType === 'webmessaging') expect(customer).not.toHaveProperty('address');
      else expect(customer.address).toMatch(/^tel:\+[1-9]\d{7,14}$/);
      break;
    case 'call':
      expect(customer.address).toMatch(/^tel:\+[1-9]\d{7,14}$/);
  }
}

describe('inbound voice, connect', () => {
  it('goes customer + ivr, then acd in the queue, agent alerting, agent connected, and ends', async () => {
    const { snaps, labels, conv, org } = await playThrough({ media: 'call', script: 'connect' });
    expect(labels.slice(0, 4)).toEqual(['arrive', 'queued', 'agent-alerting', 'agent-connected']);
    expect(labels[labels.length - 1]).toBe('end');

    const arrive = snaps[0]!;
    expect(arrive.queueIds).toEqual([]); // in the IVR: no queue topic yet
    expect(arrive.generic.participants?.map((p) => p.purpose)).toEqual(['customer', 'ivr']);
    const customer = byPurpose(arrive, 'customer')[0]!;
    expect(customer.address).toMatch(/^tel:\+[1-9]\d{7,14}$/);
    expect(customer).not.toHaveProperty('ani'); // the generic shape has no ani
    expect(leg(customer, 'call')).toMatchObject({ state: 'connected', direction: 'inbound' });
    const call = (customer.calls ?? [])[0]!;
    expect(call.self?.addressNormalized).toBe(customer.address);
    expect(call.other?.addressNormalized).toMatch(/^tel:\+/);
    const specificCustomer = arrive.media.participants?.find((p) => p.id === customer.id) as Models.QueueConversationCallEventTopicCallMediaParticipant;
    expect(specificCustomer).toMatchObject({ ani: customer.address, dnis: call.other?.addressNormalized });
    expect(byPurpose(arrive, 'ivr')[0]!.address).toMatch(/^sip:/);

    const queued = snaps[1]!;
    expect(queued.queueIds).toEqual([Q1]);
    expect(leg(byPurpose(queued, 'ivr')[0], 'call')).toMatchObject({ state: 'terminated', disconnectType: 'transfer' });
    expect(byPurpose(queued, 'customer')[0]).toMatchObject({ queueId: Q1, attributes: { 'ivr.DistributionGroup': Q1 } });
    const acd = byPurpose(queued, 'acd')[0]!;
    expect(acd.queueId).toBe(Q1);
    expect(leg(acd, 'call').state).toBe('connected');
    expect(byPurpose(queued, 'customer')[0]!.attributes).toHaveProperty('ivr.language');

    const alerting = firstWith(snaps, agentIn('alerting', 'call'));
    const agent = byPurpose(alerting, 'agent')[0]!;
    expect(agent).toMatchObject({ queueId: Q1, userId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(leg(agent, 'call').initialState).toBe('alerting');
    const specificAgent = alerting.media.participants?.find((p) => p.id === agent.id);
    expect(specificAgent).toMatchObject({ state: 'alerting', queue: { id: Q1 }, user: { id: agent.userId } });

    const connected = firstWith(snaps, agentIn('connected', 'call'));
    expect(leg(byPurpose(connected, 'acd')[0], 'call')).toMatchObject({ state: 'terminated', disconnectType: 'transfer' });
    expect(byPurpose(connected, 'agent')[0]!.connectedTime).toBeDefined();
    expect(connected.generic.recordingState).toBe('active');

    expectStatePlacement(snaps, 'call');
    expectEnded(snaps, 'call');
    expect(org.settled).toEqual([conv.id]);
    expect(conv.endedAt).toBeDefined();
  });

  it('repeats the full snapshot for holds, recording pauses and attribute changes', async () => {
    // Several seeds so that every kind of repeat shows up at least once.
    const seen = new Set<StepLabel>();
    for (let seed = 1; seed <= 12; seed++) {
      const { labels, snaps } = await playThrough({ media: 'call', script: 'connect', seed });
      for (const l of labels) seen.add(l);
      const holdAt = labels.indexOf('hold');
      if (holdAt >= 0) {
        const held = byPurpose(snaps[holdAt]!, 'agent')[0]!;
        expect(leg(held, 'call').held).toBe(true);
        expect(labels[holdAt + 1]).toBe('unhold');
        expect(leg(byPurpose(snaps[holdAt + 1]!, 'agent')[0], 'call').held).toBe(false);
      }
      const pausedAt = labels.indexOf('recording-paused');
      if (pausedAt >= 0) expect(snaps[pausedAt]!.generic.recordingState).toBe('paused');
    }
    expect([...seen]).toEqual(expect.arrayContaining(['hold', 'unhold', 'recording-paused', 'recording-resumed', 'attributes']));
  });
});

describe('voice scripts that leave the happy path', () => {
  it('transfer: a second acd in the other queue, then a second agent; the first agent leaves with transfer', async () => {
    const { snaps, labels } = await playThrough({ media: 'call', script: 'transfer', transferQueueId: Q2 });
    expect(labels).toContain('transfer');
    const last = snaps[snaps.length - 1]!;
    expect(last.queueIds).toEqual([Q1, Q2]);
    expect(byPurpose(last, 'acd').map((p) => p.queueId)).toEqual([Q1, Q2]);
    const agents = byPurpose(last, 'agent');
    expect(agents.map((p) => p.queueId)).toEqual([Q1, Q2]);
    expect(agents[0]!.userId).not.toBe(agents[1]!.userId);
    const transferred = snaps[labels.indexOf('transfer')]!;
    expect(leg(byPurpose(transferred, 'agent')[0], 'call').disconnectType).toBe('transfer');
    expect(leg(byPurpose(transferred, 'acd')[1], 'call').state).toBe('connected');
    const second = firstWith(snaps, (s) => byPurpose(s, 'agent').length === 2 && leg(byPurpose(s, 'agent')[1], 'call').state === 'connected');
    expect(leg(byPurpose(second, 'acd')[1], 'call').disconnectType).toBe('transfer');
    expectStatePlacement(snaps, 'call');
    expectEnded(snaps, 'call');
  });

  it('requeue: the first agent rings out, a second agent of the same queue answers', async () => {
    const { snaps, labels } = await playThrough({ media: 'call', script: 'requeue' });
    expect(labels.slice(0, 6)).toEqual(['arrive', 'queued', 'agent-alerting', 'agent-no-answer', 'agent-alerting', 'agent-connected']);
    const last = snaps[snaps.length - 1]!;
    expect(byPurpose(last, 'acd')).toHaveLength(1);
    const [missed, answered] = byPurpose(last, 'agent');
    expect(missed!.queueId).toBe(Q1);
    expect(answered!.queueId).toBe(Q1);
    expect(missed!.connectedTime).toBeUndefined();
    expect(leg(missed, 'call').disconnectType).toBe('system');
    expect(answered!.connectedTime).toBeDefined();
    // While the second agent is alerting the customer is still waiting in the acd.
    expect(leg(byPurpose(snaps[4]!, 'acd')[0], 'call').state).toBe('connected');
    expectEnded(snaps, 'call');
  });

  it('abandon: the customer hangs up in queue, no agent ever joins', async () => {
    const { snaps, labels, traffic } = await playThrough({ media: 'call', script: 'abandon' });
    expect(labels).toEqual(['arrive', 'queued', 'abandon']);
    const last = snaps[2]!;
    expect(byPurpose(last, 'agent')).toHaveLength(0);
    expect(leg(byPurpose(last, 'customer')[0], 'call').disconnectType).toBe('endpoint');
    expect(leg(byPurpose(last, 'acd')[0], 'call').disconnectType).toBe('peer');
    expect(traffic.connected).toBe(0);
    expectEnded(snaps, 'call');
  });

  it('ivr-abandon: ends in the IVR and never touches a queue', async () => {
    const { snaps, labels, org, conv } = await playThrough({ media: 'call', script: 'ivr-abandon' });
    expect(labels).toEqual(['arrive', 'abandon']);
    expect(snaps.every((s) => s.queueIds.length === 0)).toBe(true);
    expect(byPurpose(snaps[1]!, 'acd')).toHaveLength(0);
    expect(org.settled).toEqual([conv.id]);
  });
});

describe.each(['chat', 'message', 'email', 'callback'] as const)('%s', (media) => {
  it.each(['connect', 'abandon', 'transfer', 'requeue'] as const)('plays %s with state in the right places', async (script) => {
    const { snaps, labels, org, conv } = await playThrough({ media, script, transferQueueId: Q2 });
    expect(labels[0]).toBe('arrive');
    expect(labels[labels.length - 1]).toBe(script === 'abandon' ? 'abandon' : 'end');
    const first = snaps[0]!;
    const customer = byPurpose(first, 'customer')[0]!;
    expectCustomerAddress(customer, media, conv.messageType);
    // Generic chat legs carry no direction in Genesys' model: read it from the media-specific body.
    expect(first.media.participants?.find((p) => p.id === customer.id)?.direction).toBe(media === 'callback' ? 'outbound' : 'inbound');
    const queued = snaps[labels.indexOf('queued')]!;
    expect(byPurpose(queued, 'acd')[0]!.queueId).toBe(Q1);
    if (script !== 'abandon') {
      const connected = firstWith(snaps, agentIn('connected', media));
      expect(byPurpose(connected, 'agent').at(-1)).toMatchObject({ queueId: Q1, userId: expect.any(String) });
      expect(leg(byPurpose(connected, 'acd')[0], media)).toMatchObject({ state: 'terminated', disconnectType: 'transfer' });
      expect(connected.queueIds).toEqual([Q1]);
      const acds = byPurpose(snaps[snaps.length - 1]!, 'acd');
      const agents = byPurpose(snaps[snaps.length - 1]!, 'agent');
      expect(acds).toHaveLength(script === 'transfer' ? 2 : 1);
      expect(agents).toHaveLength(script === 'connect' ? 1 : 2);
    } else {
      expect(byPurpose(snaps[snaps.length - 1]!, 'agent')).toHaveLength(0);
    }
    expectStatePlacement(snaps, media);
    expectEnded(snaps, media);
    expect(org.settled).toEqual([conv.id]);
  });
});

describe('startOne choices', () => {
  it('uses the address it is given', async () => {
    const { snaps } = await playThrough({ media: 'call', script: 'connect', customerAddress: 'tel:+4915112345678' });
    expect(byPurpose(snaps[0]!, 'customer')[0]!.address).toBe('tel:+4915112345678');
  });

  it.each([
    { media: 'call', script: 'transfer', queues: 1, code: 'traffic.unplayable' },
    { media: 'callback', script: 'ivr-abandon', queues: 2, code: 'traffic.unplayable' },
  ] as const)('refuses $script for $media with $queues queue(s)', async ({ media, script, queues, code }) => {
    const traffic = new TrafficGenerator(new FakeOrg(QUEUES.slice(0, queues)));
    await expect(traffic.startOne({ media, script })).rejects.toMatchObject({ code });
    expect(traffic.started).toBe(0);
  });

  it('rejects a queue the org does not have', async () => {
    const traffic = new TrafficGenerator(new FakeOrg());
    await expect(traffic.startOne({ queueId: 'nope' })).rejects.toMatchObject({ code: 'traffic.invalid-options' });
  });

  it('replays the same conversation for the same seed and a different one for another seed', async () => {
    const a = await playThrough({ seed: 5 });
    const b = await playThrough({ seed: 5 });
    const c = await playThrough({ seed: 6 });
    const strip = (snaps: Published[]) => JSON.stringify(snaps).replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T');
    expect(strip(b.snaps)).toBe(strip(a.snaps));
    expect(b.labels).toEqual(a.labels);
    expect(c.conv.id).not.toBe(a.conv.id);
  });

  it('gives a reused seed a fresh id within one org', async () => {
    const org = new FakeOrg();
    const traffic = new TrafficGenerator(org);
    const one = await traffic.startOne({ seed: 9 });
    const two = await traffic.startOne({ seed: 9 });
    expect(two.id).not.toBe(one.id);
    traffic.stop();
  });
});
