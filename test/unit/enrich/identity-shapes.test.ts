/**
 * Snapshot -> detect -> identity, fed with payloads in the shapes real orgs send (generic and
 * media-specific topics, REST), checking the decision, the target, the media and each lookup key with
 * its source. Values are invented; the field names are checked against the SDK's models.
 */
import type { Models } from 'purecloud-platform-client-v2';
import { describe, expect, it } from 'vitest';
import { detect, type DetectOptions } from '../../../src/enrich/detect.js';
import { IDENTITY_DEFAULTS, resolveIdentity, type IdentitySources } from '../../../src/enrich/identity.js';
import { toConversationView, type MediaType } from '../../../src/enrich/snapshot.js';
import { AGENT1, MEDIA, Q1 } from './fixtures.js';

const CONV = '3b0c1f8e-2a4d-4e6f-8a1b-9c0d1e2f3a4b';
const EC = '8f14e45f-ceea-467a-9c3b-2b6d4d7c1a55';
const MARKER = 'crm.enricher.traceId';

/** The attribute sources the sandbox config names for chats and web messaging. */
const CONFIGURED: IdentitySources = {
  ...IDENTITY_DEFAULTS,
  chat: ['attr:context.email', 'attr:context.phoneNumber', 'externalContact'],
  message: ['address', 'attr:customer.email', 'externalContact'],
};

function options(media: readonly MediaType[] = MEDIA): DetectOptions {
  return { queueIds: new Set([Q1]), media: new Set(media), trigger: 'agent-connected', target: 'customer', markerKey: MARKER };
}

type GenericParticipant = Models.QueueConversationEventTopicParticipant;
type GenericKey = 'calls' | 'callbacks' | 'chats' | 'emails' | 'messages';

/** A generic-shape conversation: customer (with `entries`), acd done, agent connected with the same media entries. */
function generic(customer: Partial<GenericParticipant>, entries: Partial<Record<GenericKey, object[]>>, agentEntries = entries): unknown {
  const ended = (list: Partial<Record<GenericKey, object[]>>) =>
    Object.fromEntries(Object.entries(list).map(([k, v]) => [k, v.map(() => ({ state: 'disconnected', disconnectType: 'transfer' }))]));
  const body: Models.QueueConversationEventTopicConversation = {
    id: CONV,
    participants: [
      { id: 'p-cust', purpose: 'customer', attributes: {}, ...entries, ...customer },
      { id: 'p-acd', purpose: 'acd', queueId: Q1, attributes: { 'ivr.DistributionGroup': Q1 }, ...ended(agentEntries) },
      { id: 'p-agent', purpose: 'agent', userId: AGENT1, queueId: Q1, attributes: {}, ...agentEntries },
    ],
  };
  return JSON.parse(JSON.stringify(body)) as unknown;
}

type SpecificParticipant = Models.QueueConversationCallEventTopicCallMediaParticipant &
  Models.QueueConversationCallbackEventTopicCallbackMediaParticipant &
  Models.QueueConversationMessageEventTopicMessageMediaParticipant;

/** A media-specific conversation (state on the participants, queue and user as references). */
function specific(customer: Partial<SpecificParticipant>, agent: Partial<SpecificParticipant> = {}): unknown {
  const body = {
    id: CONV,
    participants: [
      { id: 'p-cust', purpose: 'customer', state: 'connected', attributes: {}, queue: { id: Q1 }, ...customer },
      { id: 'p-acd', purpose: 'acd', state: 'terminated', queue: { id: Q1 } },
      { id: 'p-agent', purpose: 'agent', state: 'connected', user: { id: AGENT1 }, queue: { id: Q1 }, ...agent },
    ] satisfies SpecificParticipant[],
  };
  return JSON.parse(JSON.stringify(body)) as unknown;
}

const connected = [{ state: 'connected', connectedTime: '2026-12-06T10:00:00Z' }];

/** A `GET /api/v2/conversations/{id}` answer (the catch-up's shape): media entries, no participant state. */
function rest(customer: Partial<Models.Participant>, entries: Partial<Record<GenericKey, object[]>>): unknown {
  const body: Models.Conversation = {
    id: CONV,
    startTime: '2026-12-06T10:00:00Z',
    participants: [
      { id: 'p-cust', purpose: 'customer', attributes: {}, ...entries, ...customer },
      { id: 'p-agent', purpose: 'agent', userId: AGENT1, queueId: Q1, attributes: {}, ...entries },
    ],
  };
  return JSON.parse(JSON.stringify(body)) as unknown;
}

interface Case {
  name: string;
  body: unknown;
  hint?: MediaType;
  media?: readonly MediaType[];
  sources?: IdentitySources;
  /** The verdict: `enrich` with media and key sources (kind -> [source, value]), or a skip reason. */
  expected:
    | { kind: 'enrich'; media: MediaType; keys: Partial<Record<'phone' | 'email' | 'externalContactId', [string, string]>> }
    | { kind: 'skip'; reason: string };
}

const cases: Case[] = [
  // Calls.
  {
    name: 'call, generic: address (no ani in this shape) and externalContactId',
    body: generic({ address: 'tel:+4915112345678', externalContactId: EC }, { calls: connected }),
    expected: { kind: 'enrich', media: 'call', keys: { phone: ['address', '+4915112345678'], externalContactId: ['externalContact', EC] } },
  },
  {
    name: 'call, media-specific: ani first, externalContact.id',
    body: specific({ ani: 'tel:+61298765432', dnis: 'tel:+61280001000', address: 'tel:+61298765432', name: '+61298765432', externalContact: { id: EC } }),
    hint: 'call',
    expected: { kind: 'enrich', media: 'call', keys: { phone: ['ani', '+61298765432'], externalContactId: ['externalContact', EC] } },
  },
  {
    name: 'call, media-specific: a withheld ani falls back to a SIP address',
    body: specific({ ani: 'anonymous', address: 'sip:+4930123456@10.1.2.3;user=phone' }),
    hint: 'call',
    expected: { kind: 'enrich', media: 'call', keys: { phone: ['address', '+4930123456'] } },
  },
  {
    name: 'call, generic: a national number is no key',
    body: generic({ address: 'tel:030123456' }, { calls: connected }),
    expected: { kind: 'enrich', media: 'call', keys: {} },
  },
  {
    name: 'call, REST conversation (catch-up): ani and externalContactId beside calls[]',
    body: rest({ ani: 'tel:+61298765432', dnis: 'tel:+61280001000', address: 'tel:+61298765432', externalContactId: EC }, { calls: connected }),
    expected: { kind: 'enrich', media: 'call', keys: { phone: ['ani', '+61298765432'], externalContactId: ['externalContact', EC] } },
  },
  {
    name: 'callback, REST conversation, dialled: callbacks[] with numbers beside calls[]',
    body: rest({}, { callbacks: [{ state: 'disconnected', callbackNumbers: ['', '+4915199887766'] }], calls: connected }),
    media: ['callback'],
    expected: { kind: 'enrich', media: 'callback', keys: { phone: ['callbackNumbers', '+4915199887766'] } },
  },
  // Callbacks.
  {
    name: 'callback, generic: number only in callbackNumbers, no address',
    body: generic({}, { callbacks: [{ state: 'connected', callbackNumbers: ['+4915199887766'], callbackUserName: 'Ann', initialState: 'scheduled' }] }),
    expected: { kind: 'enrich', media: 'callback', keys: { phone: ['callbackNumbers', '+4915199887766'] } },
  },
  {
    name: 'callback, generic: [""] gives no key',
    body: generic({}, { callbacks: [{ state: 'connected', callbackNumbers: [''] }] }),
    expected: { kind: 'enrich', media: 'callback', keys: {} },
  },
  {
    name: 'callback, generic: the first non-empty number',
    body: generic({}, { callbacks: [{ state: 'connected', callbackNumbers: ['', '+44 20 7946 0958'] }] }),
    expected: { kind: 'enrich', media: 'callback', keys: { phone: ['callbackNumbers', '+442079460958'] } },
  },
  {
    name: 'callback, generic, dialled: calls[] beside callbacks[], watched media callback only',
    body: generic(
      { address: 'tel:+4915199887766' },
      { callbacks: [{ state: 'disconnected', callbackNumbers: ['+4915199887766'] }], calls: connected },
    ),
    media: ['callback'],
    expected: { kind: 'enrich', media: 'callback', keys: { phone: ['callbackNumbers', '+4915199887766'] } },
  },
  {
    name: 'callback, generic, dialled: only call media watched is not this conversation',
    body: generic({}, { callbacks: [{ state: 'disconnected', callbackNumbers: ['+4915199887766'] }], calls: connected }),
    media: ['call'],
    expected: { kind: 'skip', reason: 'media-not-configured' },
  },
  {
    name: 'callback, generic, dialled: only the customer still shows the callback entry',
    body: generic({}, { callbacks: [{ state: 'disconnected', callbackNumbers: ['+4915199887766'] }], calls: connected }, { calls: connected }),
    media: ['callback'],
    expected: { kind: 'enrich', media: 'callback', keys: { phone: ['callbackNumbers', '+4915199887766'] } },
  },
  {
    name: 'callback, media-specific on the callbacks topic',
    body: specific({ callbackNumbers: ['', '+4915199887766'], callbackScheduledTime: '2026-12-06T10:00:00Z' }),
    hint: 'callback',
    expected: { kind: 'enrich', media: 'callback', keys: { phone: ['callbackNumbers', '+4915199887766'] } },
  },
  {
    name: 'callback, media-specific, dialled, arriving on the calls topic with its numbers',
    body: specific({ callbackNumbers: ['+4915199887766'], ani: 'tel:+4915199887766' }, { callbackNumbers: ['+4915199887766'] }),
    hint: 'call',
    media: ['callback'],
    expected: { kind: 'enrich', media: 'callback', keys: { phone: ['callbackNumbers', '+4915199887766'] } },
  },
  // Web chat.
  {
    name: 'old chat: guest address is never an e-mail; form data in mixed case',
    body: generic(
      { address: '5ee38185d1a0@guest.example.com', attributes: { 'context.Email': 'Ann.Lee@Example.com', 'context.firstname': 'Ann', 'context.phoneNumber': '+49 (151) 1234-5678', 'context._genesys_url': 'https://shop.example.com' } },
      { chats: connected },
    ),
    sources: CONFIGURED,
    expected: { kind: 'enrich', media: 'chat', keys: { email: ['attr:context.email', 'Ann.Lee@Example.com'], phone: ['attr:context.phoneNumber', '+4915112345678'] } },
  },
  {
    name: 'old chat with default sources: the guest address gives nothing',
    body: generic({ address: '5ee38185d1a0@guest.example.com', attributes: { 'context.email': 'ann@example.com' } }, { chats: connected }),
    expected: { kind: 'enrich', media: 'chat', keys: {} },
  },
  {
    name: 'web chat v2: no address, form e-mail',
    body: specific({ provider: 'PureCloud Webchat v2', attributes: { 'context.email': 'bo@example.org', 'context.firstName': 'Bo' } }),
    hint: 'chat',
    sources: CONFIGURED,
    expected: { kind: 'enrich', media: 'chat', keys: { email: ['attr:context.email', 'bo@example.org'] } },
  },
  {
    name: 'web chat: an exact attribute name wins over another case',
    body: specific({ attributes: { 'context.Email': 'other@example.org', 'context.email': 'exact@example.org' } }),
    hint: 'chat',
    sources: CONFIGURED,
    expected: { kind: 'enrich', media: 'chat', keys: { email: ['attr:context.email', 'exact@example.org'] } },
  },
  {
    name: 'web chat: a form e-mail that is a guest id or junk gives nothing',
    body: specific({ attributes: { 'context.email': 'x@guest.example.com', 'context.phoneNumber': '..' } }),
    hint: 'chat',
    sources: CONFIGURED,
    expected: { kind: 'enrich', media: 'chat', keys: {} },
  },
  // Messaging.
  {
    name: 'web messaging guest with a custom attribute: e-mail, never a phone from the address',
    body: generic({ address: '+4915112345678', attributes: { 'customer.email': 'cy@example.net' } }, { messages: [{ state: 'connected', type: 'webmessaging' }] }),
    sources: CONFIGURED,
    expected: { kind: 'enrich', media: 'message', keys: { email: ['attr:customer.email', 'cy@example.net'] } },
  },
  {
    name: 'web messaging guest without custom attributes: no key',
    body: generic({ address: 'c4a1e9b2-guest' }, { messages: [{ state: 'connected', type: 'webmessaging' }] }),
    sources: CONFIGURED,
    expected: { kind: 'enrich', media: 'message', keys: {} },
  },
  {
    name: 'SMS, generic: the phone address',
    body: generic({ address: 'tel:+4917612345678' }, { messages: [{ state: 'connected', type: 'sms' }] }),
    sources: CONFIGURED,
    expected: { kind: 'enrich', media: 'message', keys: { phone: ['address', '+4917612345678'] } },
  },
  {
    name: 'WhatsApp, media-specific: type on the participant',
    body: specific({ type: 'whatsapp', address: '+4917612345678' }),
    hint: 'message',
    expected: { kind: 'enrich', media: 'message', keys: { phone: ['address', '+4917612345678'] } },
  },
  {
    name: 'message without a type: the address is not trusted',
    body: specific({ address: '+4917612345678' }),
    hint: 'message',
    expected: { kind: 'enrich', media: 'message', keys: {} },
  },
  // E-mail.
  {
    name: 'e-mail, generic: the sender address',
    body: generic({ address: 'dee@example.com' }, { emails: connected }),
    expected: { kind: 'enrich', media: 'email', keys: { email: ['address', 'dee@example.com'] } },
  },
  {
    name: 'e-mail, media-specific: mailto form',
    body: specific({ address: 'mailto:dee@example.com' }),
    hint: 'email',
    expected: { kind: 'enrich', media: 'email', keys: { email: ['address', 'dee@example.com'] } },
  },
  // Bad and ended.
  {
    name: 'ended conversation',
    body: generic({ address: 'tel:+4915112345678', endTime: '2026-12-06T10:05:00Z' }, { calls: [{ state: 'disconnected' }] }, { calls: [{ state: 'disconnected' }] }),
    expected: { kind: 'skip', reason: 'conversation-ended' },
  },
  {
    name: 'unknown media only',
    body: generic({ address: 'tel:+4915112345678', videos: [{ state: 'connected' }] }, {}, { videos: [{ state: 'connected' }] } as Partial<Record<GenericKey, object[]>>),
    expected: { kind: 'skip', reason: 'media-not-configured' },
  },
  {
    name: 'customer without purpose: dropped, so no customer and no write',
    body: generic({ purpose: undefined, address: 'tel:+4915112345678' } as unknown as Partial<GenericParticipant>, { calls: connected }),
    expected: { kind: 'skip', reason: 'no-customer' },
  },
];

describe('snapshot -> detect -> identity, real payload shapes', () => {
  it.each(cases)('$name', ({ body, hint, media, sources, expected }) => {
    const view = toConversationView(body, hint);
    expect(view).toBeDefined();
    if (view === undefined) return;
    const decision = detect(view, options(media));
    if (expected.kind === 'skip') {
      expect(decision).toMatchObject({ kind: 'skip', reason: expected.reason });
      return;
    }
    expect(decision.kind).toBe('enrich');
    if (decision.kind !== 'enrich') return;
    expect(decision.media).toBe(expected.media);
    expect(decision.target.id).toBe('p-cust');
    expect(decision.customer.id).toBe('p-cust');
    const identity = resolveIdentity(decision.customer, decision.media, (sources ?? IDENTITY_DEFAULTS)[decision.media]);
    const keys = Object.fromEntries(Object.entries(expected.keys).map(([kind, [, value]]) => [kind, value]));
    const keySources = Object.fromEntries(Object.entries(expected.keys).map(([kind, [source]]) => [kind, source]));
    expect(identity.keys).toEqual(keys);
    expect(identity.keySources).toEqual(keySources);
    expect(identity.tried).toEqual((sources ?? IDENTITY_DEFAULTS)[decision.media]);
  });
});
