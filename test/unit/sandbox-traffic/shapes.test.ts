// Payloads as real orgs send them, per medium: what the customer participant carries in the
// generic and the media-specific shapes, and what the truth API says identifies them.
import type { Models } from 'purecloud-platform-client-v2';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SandboxConversation, SandboxMedia } from '../../../src/sandbox/org/conversation.js';
import { SandboxOrg } from '../../../src/sandbox/org/org.js';
import type { ConversationTruth } from '../../../src/sandbox/org/truth.js';
import { SANDBOX_DEFAULTS } from '../../../src/sandbox/options.js';
import { TrafficGenerator } from '../../../src/sandbox/traffic/generator.js';

type Generic = Models.QueueConversationEventTopicConversation;
type GenericParticipant = Models.QueueConversationEventTopicParticipant;
type MediaParticipant = Models.QueueConversationCallEventTopicCallMediaParticipant &
  Models.QueueConversationCallbackEventTopicCallbackMediaParticipant &
  Models.QueueConversationMessageEventTopicMessageMediaParticipant;

interface Played {
  readonly conv: SandboxConversation;
  readonly generic: Generic[];
  readonly media: { participants?: MediaParticipant[] }[];
  readonly truth: ConversationTruth;
}

const FORGED = { 'crm.enricher.traceId': 'forged-trace', 'crm.tier': 'gold' };

/** Plays `count` conversations of one medium at high speed and keeps every snapshot of each. */
async function play(media: SandboxMedia, count: number, seed: number, extra: { forgedShare?: number } = {}): Promise<Played[]> {
  const org = new SandboxOrg(SANDBOX_DEFAULTS.queues);
  const generic = new Map<string, Generic[]>();
  const specific = new Map<string, { participants?: MediaParticipant[] }[]>();
  org.setPublisher((topic, body) => {
    const b = structuredClone(body) as Generic;
    const into = topic.endsWith('.conversations') ? generic : specific;
    into.set(b.id!, [...(into.get(b.id!) ?? []), b]);
  });
  const convs: SandboxConversation[] = [];
  const traffic = new TrafficGenerator(org, { onEvent: (e) => { if (e.type === 'ended') convs.push(e.conversation); } });
  await traffic.play(count, {
    ratePerSec: 5_000,
    speed: 100_000,
    seed,
    media: [media],
    ...(extra.forgedShare !== undefined && { forgedMarkers: { share: extra.forgedShare, attributes: FORGED } }),
  });
  const truth = new Map(org.truth().map((t) => [t.id, t]));
  // Conversations that ended in the IVR or bot never reached a queue topic: nothing to look at.
  expect(truth.size).toBe(count);
  return convs
    .filter((conv) => generic.has(conv.id))
    .map((conv) => ({ conv, generic: generic.get(conv.id)!, media: specific.get(conv.id)!, truth: truth.get(conv.id)! }));
}

const customerOf = (g: Generic): GenericParticipant => g.participants!.find((p) => p.purpose === 'customer')!;
const mediaCustomerOf = (m: { participants?: MediaParticipant[] }): MediaParticipant => m.participants!.find((p) => p.purpose === 'customer')!;
const last = <T,>(list: T[]): T => list[list.length - 1]!;
const sources = (t: ConversationTruth): string[] => t.identifiers.map((i) => `${i.source}/${i.kind}`);

describe('calls', () => {
  let played: Played[];
  beforeAll(async () => { played = await play('call', 120, 11); });

  it('carry ani and dnis in the media-specific shape only, external contacts sometimes, sip IVR legs', () => {
    let external = 0;
    let anonymous = 0;
    for (const { generic, media, truth } of played) {
      const g = customerOf(generic[0]!);
      const m = mediaCustomerOf(media[0]!);
      expect(g).not.toHaveProperty('ani');
      expect(m.ani).toBe(g.address);
      expect(m.dnis).toMatch(/^tel:\+/);
      expect(g.calls![0]!.self?.addressNormalized).toBe(g.address);
      expect(generic[0]!.participants!.find((p) => p.purpose === 'ivr')?.address).toMatch(/^sip:/);
      if (g.externalContactId !== undefined) {
        external++;
        expect(m.externalContact?.id).toBe(g.externalContactId);
      }
      if (g.address!.startsWith('sip:anonymous')) {
        anonymous++;
        expect(truth.identifiers.filter((i) => i.kind === 'phone')).toEqual([]);
      } else {
        const phone = g.address!.replace(/^tel:/, '');
        expect(truth.identifiers).toEqual(expect.arrayContaining([
          { source: 'ani', kind: 'phone', value: phone },
          { source: 'address', kind: 'phone', value: phone },
        ]));
      }
      // The name is a caller name or the number again.
      expect(g.name === g.address!.replace(/^tel:/, '') || /^[A-Z][a-z]+ [A-Z]/.test(g.name ?? '') || g.name === 'Anonymous').toBe(true);
    }
    expect(external).toBeGreaterThan(10);
    expect(external).toBeLessThan(played.length);
    expect(anonymous).toBeLessThan(15);
  });

  it('show a missed agent as system-disconnected without connectedTime, customers carrying the queue', async () => {
    const requeued = await (async () => {
      const org = new SandboxOrg(SANDBOX_DEFAULTS.queues);
      const snaps: Generic[] = [];
      org.setPublisher((topic, body) => { if (topic.endsWith('.conversations')) snaps.push(structuredClone(body) as Generic); });
      const traffic = new TrafficGenerator(org);
      await traffic.startOne({ media: 'call', script: 'requeue', seed: 3, speed: 100_000, until: 'ended' });
      return last(snaps);
    })();
    const agents = requeued.participants!.filter((p) => p.purpose === 'agent');
    expect(agents).toHaveLength(2);
    expect(agents[0]!.connectedTime).toBeUndefined();
    expect(agents[0]!.calls![0]!.disconnectType).toBe('system');
    const customer = customerOf(requeued);
    expect(customer.queueId).toBe(agents[0]!.queueId);
    expect(customer.attributes?.['ivr.DistributionGroup']).toBe(customer.queueId);
  });
});

describe('callbacks', () => {
  let played: Played[];
  beforeAll(async () => { played = await play('callback', 120, 12); });

  it('have no customer address; numbers, user name, script and schedule are in callbacks[]', () => {
    let empty = 0;
    let dialled = 0;
    for (const { generic, media, truth } of played) {
      const g = customerOf(generic[0]!);
      expect(g).not.toHaveProperty('address');
      const cb = g.callbacks![0]!;
      expect(cb).toMatchObject({ initialState: 'scheduled', callbackUserName: expect.any(String), scriptId: expect.any(String) });
      expect(cb.callbackScheduledTime).toMatch(/^\d{4}-/);
      expect(cb.callbackNumbers).toHaveLength(1);
      expect(mediaCustomerOf(media[0]!).callbackNumbers).toEqual(cb.callbackNumbers);
      if (cb.callbackNumbers![0] === '') {
        empty++;
        expect(truth.identifiers.filter((i) => i.kind === 'phone')).toEqual([]);
      } else {
        expect(truth.identifiers).toContainEqual({ source: 'callbackNumbers', kind: 'phone', value: cb.callbackNumbers![0] });
      }
      // A callback the agent dials gains calls[] beside callbacks[], and stays a callback.
      const dial = generic.find((s) => s.participants!.some((p) => p.purpose === 'agent' && (p.calls?.length ?? 0) > 0));
      if (dial !== undefined) {
        dialled++;
        expect(customerOf(dial).calls).toHaveLength(1);
        expect(customerOf(dial).callbacks).toHaveLength(1);
        expect(truth.media).toBe('callback');
      }
    }
    expect(empty).toBeGreaterThan(0);
    expect(empty).toBeLessThan(30);
    expect(dialled).toBeGreaterThan(30);
  });

  it('show an agent in after-call work still connected, with disconnectedTime set', () => {
    const acw = played.flatMap((p) => p.generic).find((s) => s.participants!.some((p) => p.purpose === 'agent' && p.startAcwTime !== undefined));
    expect(acw).toBeDefined();
    const agent = acw!.participants!.find((p) => p.purpose === 'agent' && p.startAcwTime !== undefined)!;
    expect(agent.callbacks![0]).toMatchObject({ state: 'connected', disconnectedTime: agent.startAcwTime });
  });
});

describe('web chats', () => {
  let played: Played[];
  beforeAll(async () => { played = await play('chat', 150, 13); });

  it('give guests a guest id (ACD chat) or no address (web chat v2), and chat-form data in mixed case', () => {
    let v2 = 0;
    const spellings = new Set<string>();
    let unidentified = 0;
    for (const { generic, conv, truth } of played) {
      const g = customerOf(generic[0]!);
      if (conv.chatProvider === 'PureCloud Webchat v2') {
        v2++;
        expect(g).not.toHaveProperty('address');
        expect(g.chats![0]!.provider).toBe('PureCloud Webchat v2');
      } else {
        expect(g.address).toMatch(/^[0-9a-f]{32}@guest\./);
      }
      const attrs = g.attributes ?? {};
      for (const key of Object.keys(attrs)) if (/^context\.(e|E)mail$/.test(key)) spellings.add(key);
      expect(Object.keys(attrs).some((k) => k.startsWith('context._genesys_'))).toBe(true);
      // The guest address is never an identifier; the form's e-mail and phone are.
      expect(truth.identifiers.every((i) => i.source.startsWith('attr:context.'))).toBe(true);
      if (truth.identifiers.length === 0) unidentified++;
      for (const id of truth.identifiers) expect(attrs[id.source.slice('attr:'.length)]?.toLowerCase()).toBe(id.kind === 'phone' ? id.value : id.value.toLowerCase());
    }
    expect(v2).toBeGreaterThan(40);
    expect(v2).toBeLessThan(110);
    expect(spellings).toEqual(new Set(['context.email', 'context.Email']));
    expect(unidentified).toBeGreaterThan(0);
  });
});

describe('messages', () => {
  let played: Played[];
  beforeAll(async () => { played = await play('message', 150, 14); });

  it('give web messaging guests no phone (a customer.email attribute or nothing), SMS and WhatsApp tel addresses', () => {
    const types = new Map<string, number>();
    let withoutEmail = 0;
    for (const { generic, media, truth, conv } of played) {
      const g = customerOf(generic[0]!);
      const type = g.messages![0]!.type!;
      expect(mediaCustomerOf(media[0]!).type).toBe(type);
      expect(truth.messageType).toBe(type);
      expect(conv.messageType).toBe(type);
      types.set(type, (types.get(type) ?? 0) + 1);
      if (type === 'webmessaging') {
        expect(g).not.toHaveProperty('address');
        expect(truth.identifiers.every((i) => i.kind !== 'phone')).toBe(true);
        if (g.attributes?.['customer.email'] === undefined) {
          withoutEmail++;
          expect(truth.identifiers).toEqual([]);
        } else {
          expect(sources(truth)).toEqual(['attr:customer.email/email']);
        }
      } else {
        expect(g.address).toMatch(/^tel:\+\d+$/);
        expect(truth.identifiers[0]).toEqual({ source: 'address', kind: 'phone', value: g.address!.slice(4) });
      }
    }
    expect([...types.keys()].sort()).toEqual(['sms', 'webmessaging', 'whatsapp']);
    expect(withoutEmail).toBeGreaterThan(0);
  });

  it('after-call work: the agent disconnected with startAcwTime while the customer is still connected', () => {
    const acw = played.flatMap((p) => p.generic).find((s) => s.participants!.some((p) => p.purpose === 'agent' && p.startAcwTime !== undefined && customerOf(s).messages![0]!.state === 'connected'));
    expect(acw).toBeDefined();
    const agent = acw!.participants!.find((p) => p.startAcwTime !== undefined)!;
    expect(agent.messages![0]!.state).toBe('disconnected');
  });
});

describe('e-mails', () => {
  it('carry the sender address, the truth lists it as the e-mail', async () => {
    for (const { generic, truth } of await play('email', 30, 15)) {
      const g = customerOf(generic[0]!);
      expect(truth.identifiers[0]).toEqual({ source: 'address', kind: 'email', value: g.address });
    }
  });
});

describe('ended legs', () => {
  it('read terminated for ivr, acd and agent in the media-specific shape, customers disconnected', async () => {
    for (const { media } of await play('call', 20, 16)) {
      for (const p of last(media).participants!) expect(p.state).toBe(p.purpose === 'customer' ? 'disconnected' : 'terminated');
    }
  });
});

describe('forged markers', () => {
  it('give a share of customers the forged attributes from the start, flagged in the truth', async () => {
    const played = await play('message', 80, 17, { forgedShare: 0.3 });
    const forged = played.filter((p) => p.truth.forgedMarker === true);
    expect(forged.length).toBeGreaterThan(10);
    expect(forged.length).toBeLessThan(45);
    for (const p of played) {
      const attrs = customerOf(p.generic[0]!).attributes ?? {};
      if (p.truth.forgedMarker === true) expect(attrs).toMatchObject(FORGED);
      else expect(attrs).not.toHaveProperty('crm.enricher.traceId');
    }
  });

  it('are absent without the option', async () => {
    expect((await play('message', 30, 17)).some((p) => p.truth.forgedMarker !== undefined)).toBe(false);
  });
});
