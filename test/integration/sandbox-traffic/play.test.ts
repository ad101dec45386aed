import { describe, expect, it } from 'vitest';
import { SandboxOrg } from '../../../src/sandbox/org/org.js';
import { SANDBOX_DEFAULTS } from '../../../src/sandbox/options.js';
import { longestConversationMs } from '../../../src/sandbox/traffic/durations.js';
import { TrafficGenerator, type TrafficEvent } from '../../../src/sandbox/traffic/generator.js';

interface Frame {
  topic: string;
  body: {
    id: string;
    participants: { purpose: string; address?: string; queueId?: string; queue?: { id: string }; state?: string; [k: string]: unknown }[];
  };
}

const MEDIA_LISTS = ['calls', 'chats', 'messages', 'emails', 'callbacks'];

function genericState(p: Frame['body']['participants'][number]): string | undefined {
  for (const key of MEDIA_LISTS) {
    const legs = p[key] as { state?: string }[] | undefined;
    if (legs) return legs[0]?.state;
  }
  return undefined;
}

describe('traffic through a real SandboxOrg', () => {
  it('plays 50 conversations at high speed: all end, connected ones are in org.connected, customers repeat', async () => {
    const org = new SandboxOrg(SANDBOX_DEFAULTS.queues);
    const frames: Frame[] = [];
    org.setPublisher((topic, body) => {
      // The org hands over the same object for every topic: copy it, it will change.
      frames.push({ topic, body: structuredClone(body) as Frame['body'] });
    });
    const events: TrafficEvent[] = [];
    const traffic = new TrafficGenerator(org, { onEvent: (e) => events.push(e) });
    const speed = 20_000;
    const started = performance.now();
    await traffic.play(50, { ratePerSec: 1_000, speed, seed: 2024, repeatCustomerShare: 0.4 });
    const elapsedMs = performance.now() - started;

    // Timing is bounded by the arrivals (~50 ms) plus the longest possible conversation at this speed.
    const bound = 50 + Math.max(longestConversationMs('call'), longestConversationMs('email')) / speed + 1_500;
    expect(elapsedMs).toBeLessThan(bound);

    expect(traffic.started).toBe(50);
    expect(traffic.ended).toBe(50);
    const ended = events.filter((e) => e.type === 'ended').map((e) => e.conversation);
    expect(new Set(ended.map((c) => c.id)).size).toBe(50);
    for (const conv of ended) {
      expect(conv.endedAt).toBeDefined();
      expect(conv.participants.every((p) => p.leg.state === 'disconnected' && p.endTime !== undefined)).toBe(true);
    }

    // Connected ones (an agent answered) are exactly the ones the org counts as connected.
    const answered = ended.filter((c) => c.participants.some((p) => p.purpose === 'agent' && p.leg.connectedTime !== undefined));
    expect(answered.length).toBe(traffic.connected);
    expect(answered.length).toBeGreaterThan(25);
    for (const conv of answered) expect(org.connected.has(conv.id)).toBe(true);
    expect(org.connected.size).toBe(answered.length);

    // Frames go only to queues the conversation was routed to, generic and media-specific alike.
    const queueIds = new Set<string>(SANDBOX_DEFAULTS.queues.map((q) => q.id));
    for (const f of frames) {
      const [, , , queueId, , suffix] = f.topic.split('.');
      expect(queueIds.has(queueId!)).toBe(true);
      // Generic bodies carry `queueId`, media-specific ones a `queue` reference.
      expect(f.body.participants.some((p) => (p.queueId ?? p.queue?.id) === queueId)).toBe(true);
      for (const p of f.body.participants) {
        if (suffix === undefined) expect(genericState(p)).toBeDefined();
        else expect(p.state).toBeDefined();
      }
    }
    // Conversations that ended in the IVR were never published on a queue topic.
    const published = new Set(frames.map((f) => f.body.id));
    for (const conv of ended) expect(published.has(conv.id)).toBe(conv.queueIds.length > 0);

    // Some customers called more than once (CRM cache hits).
    const byAddress = new Map<string, Set<string>>();
    for (const conv of ended) {
      const address = conv.participants.find((p) => p.purpose === 'customer')?.address;
      if (address !== undefined) byAddress.set(address, (byAddress.get(address) ?? new Set()).add(conv.id));
    }
    expect([...byAddress.values()].some((ids) => ids.size > 1)).toBe(true);
    expect(byAddress.size).toBeLessThan(50);

    // Several media and scripts show up in a default mix.
    expect(new Set(ended.map((c) => c.media)).size).toBeGreaterThan(2);
    expect(new Set(events.map((e) => e.script)).size).toBeGreaterThan(2);
    traffic.stop();
  });

  it('a live conversation can be read and enriched while it waits, and the write shows up in later snapshots', async () => {
    const org = new SandboxOrg(SANDBOX_DEFAULTS.queues);
    const frames: Frame[] = [];
    org.setPublisher((topic, body) => frames.push({ topic, body: structuredClone(body) as Frame['body'] }));
    const traffic = new TrafficGenerator(org);
    traffic.pause();
    const conv = await traffic.startOne({ media: 'call', script: 'connect', seed: 1 });
    while (!org.connected.has(conv.id)) expect(traffic.step(conv.id)).toBe(true);
    const customer = conv.participants.find((p) => p.purpose === 'customer')!;
    expect(org.patchAttributes(conv.id, customer.id, { 'Flow.accountId': 'A-1' }, 'sandbox-client')).toBe('ok');
    while (traffic.step(conv.id)) { /* play to the end */ }
    const last = frames.filter((f) => f.body.id === conv.id).at(-1)!;
    expect(last.body.participants.find((p) => p.purpose === 'customer')?.attributes).toMatchObject({ 'Flow.accountId': 'A-1' });
    expect(conv.endedAt).toBeDefined();
    expect(org.patchAttributes(conv.id, customer.id, { 'Flow.accountId': 'A-2' }, 'sandbox-client')).toBe('ended');
    traffic.stop();
  });
});
