import { describe, expect, it } from 'vitest';
import { detect, type Detection, type DetectOptions, type TargetRole, type Trigger } from '../../../src/enrich/detect.js';
import { markerValue, markerVerifier } from '../../../src/enrich/marker.js';
import { toConversationView, type MediaType } from '../../../src/enrich/snapshot.js';
import { acd, agent, body, customer, external, ivr, MEDIA, Q1, Q2, QX, type PSpec, type Shape } from './fixtures.js';

const CONV = '7d1e8c40-5a3b-4f6e-9c21-3e4f5a6b7c8d';
const MARKER = 'crm.enrichedAt';
const SHAPES: readonly Shape[] = ['generic', 'specific'];

function options(trigger: Trigger, target: TargetRole, media: readonly MediaType[] = MEDIA): DetectOptions {
  return { queueIds: new Set([Q1, Q2]), media: new Set(media), trigger, target, markerKey: MARKER };
}

/** What a test compares: the verdict with participants reduced to their ids. */
type Summary =
  | { kind: 'enrich'; queueId: string; target: string; customer: string; media: MediaType }
  | { kind: 'wait'; reason: string }
  | { kind: 'skip'; reason: string; queueId?: string; participantId?: string };

function summary(d: Detection): Summary {
  switch (d.kind) {
    case 'enrich':
      return { kind: 'enrich', queueId: d.queueId, target: d.target.id, customer: d.customer.id, media: d.media };
    case 'wait':
      return d;
    case 'skip': {
      const { kind, reason, queueId, participantId } = d;
      return { kind, reason, ...(queueId === undefined ? {} : { queueId }), ...(participantId === undefined ? {} : { participantId }) };
    }
  }
}

const done = ['disconnected'];
const live = ['connected'];
const enrich = (queueId: string, target = 'p-cust', cust = 'p-cust') => ({ kind: 'enrich', queueId, target, customer: cust }) as const;
const wait = (reason: string) => ({ kind: 'wait', reason }) as const;
const skip = (reason: string, queueId?: string, participantId?: string) =>
  ({ kind: 'skip', reason, ...(queueId === undefined ? {} : { queueId }), ...(participantId === undefined ? {} : { participantId }) }) as const;

interface Scenario {
  name: string;
  parts: readonly PSpec[];
  trigger: Trigger;
  target: TargetRole;
  expected: ReturnType<typeof enrich> | ReturnType<typeof wait> | ReturnType<typeof skip>;
}

const S = {
  ivrOnly: [customer(live), ivr(live)],
  acdWaiting: [customer(live), ivr(done), acd('p-acd', Q1, live)],
  agentAlerting: [customer(live), ivr(done), acd('p-acd', Q1, live), agent('p-agent', Q1, ['alerting'])],
  agentConnected: [customer(live), ivr(done), acd('p-acd', Q1, done), agent('p-agent', Q1, live)],
  onHold: [customer(['connected']), acd('p-acd', Q1, done), agent('p-agent', Q1, ['connected'], { held: true })],
  transfer: [
    customer(live),
    acd('p-acd', Q1, done),
    agent('p-agent', Q1, done),
    acd('p-acd2', Q2, done),
    agent('p-agent2', Q2, live),
  ],
  transferAlerting: [
    customer(live),
    acd('p-acd', Q1, done),
    agent('p-agent', Q1, done),
    acd('p-acd2', Q2, live),
    agent('p-agent2', Q2, ['alerting']),
  ],
  transferFromOtherQueue: [customer(live), acd('p-acd', QX, done), agent('p-agent', QX, done), acd('p-acd2', Q2, done), agent('p-agent2', Q2, live)],
  transferToOtherQueue: [customer(live), acd('p-acd', Q1, done), agent('p-agent', Q1, done), acd('p-acd2', QX, done), agent('p-agent2', QX, live)],
  requeue: [customer(live), acd('p-acd', Q1, done), agent('p-agent', Q1, done), acd('p-acd2', Q1, live)],
  requeueConnected: [customer(live), acd('p-acd', Q1, done), agent('p-agent', Q1, done), acd('p-acd2', Q1, done), agent('p-agent2', Q1, live)],
  markerOnCustomer: [customer(live, { [MARKER]: '2024-05-06T09:00:05.000Z' }), acd('p-acd', Q1, done), agent('p-agent', Q1, live)],
  markerAfterRequeue: [customer(live, { [MARKER]: 'x' }), acd('p-acd', Q1, done), agent('p-agent', Q1, done), acd('p-acd2', Q1, live)],
  markerAndEnded: [customer(done, { [MARKER]: 'x' }), acd('p-acd', Q1, done), agent('p-agent', Q1, done)],
  markerAfterTransfer: [
    customer(live, { [MARKER]: 'x' }),
    acd('p-acd', Q1, done),
    agent('p-agent', Q1, done),
    acd('p-acd2', Q2, done),
    agent('p-agent2', Q2, live),
  ],
  endedAfterTransfer: [customer(done), acd('p-acd', Q1, done), agent('p-agent', Q1, done), acd('p-acd2', Q2, done), agent('p-agent2', Q2, done)],
  markerOnAgent: [customer(live), acd('p-acd', Q1, done), agent('p-agent', Q1, live, { attributes: { [MARKER]: 'x' } })],
  endedInQueue: [customer(done), ivr(done), acd('p-acd', Q1, done)],
  endedWhileAlerting: [customer(done), acd('p-acd', Q1, done), agent('p-agent', Q1, ['terminated'])],
  endedAfterAgent: [customer(done), acd('p-acd', Q1, done), agent('p-agent', Q1, done)],
  outbound: [agent('p-user', undefined, live, { purpose: 'user' }), external(live)],
  outboundForQueue: [agent('p-user', Q1, live, { purpose: 'user' }), external(live)],
  unknownQueue: [customer(live), ivr(done), acd('p-acd', QX, live)],
  unknownQueueAgent: [customer(live), acd('p-acd', QX, done), agent('p-agent', QX, live)],
  noCustomer: [acd('p-acd', Q1, done), agent('p-agent', Q1, live)],
  consult: [customer(live), acd('p-acd', Q1, done), agent('p-agent', Q1, live), agent('p-agent2', Q1, ['alerting'])],
  reconnected: [customer(live), acd('p-acd', Q1, done), agent('p-agent', Q1, ['disconnected', 'connected'])],
} satisfies Record<string, readonly PSpec[]>;

const scenarios: Scenario[] = [
  { name: 'IVR only', parts: S.ivrOnly, trigger: 'agent-connected', target: 'customer', expected: wait('in-ivr') },
  { name: 'IVR only', parts: S.ivrOnly, trigger: 'queued', target: 'customer', expected: wait('in-ivr') },
  { name: 'acd waiting', parts: S.acdWaiting, trigger: 'agent-connected', target: 'customer', expected: wait('in-queue') },
  { name: 'acd waiting', parts: S.acdWaiting, trigger: 'queued', target: 'customer', expected: enrich(Q1) },
  { name: 'acd waiting', parts: S.acdWaiting, trigger: 'queued', target: 'agent', expected: wait('agent-not-assigned') },
  { name: 'agent alerting', parts: S.agentAlerting, trigger: 'agent-connected', target: 'customer', expected: wait('agent-alerting') },
  { name: 'agent alerting', parts: S.agentAlerting, trigger: 'queued', target: 'customer', expected: enrich(Q1) },
  { name: 'agent alerting', parts: S.agentAlerting, trigger: 'queued', target: 'agent', expected: enrich(Q1, 'p-agent') },
  { name: 'agent connected', parts: S.agentConnected, trigger: 'agent-connected', target: 'customer', expected: enrich(Q1) },
  { name: 'agent connected', parts: S.agentConnected, trigger: 'agent-connected', target: 'agent', expected: enrich(Q1, 'p-agent') },
  { name: 'agent connected, seen late', parts: S.agentConnected, trigger: 'queued', target: 'customer', expected: enrich(Q1) },
  { name: 'on hold (repeat snapshot)', parts: S.onHold, trigger: 'agent-connected', target: 'customer', expected: enrich(Q1) },
  { name: 'transfer: newest queue wins', parts: S.transfer, trigger: 'agent-connected', target: 'customer', expected: enrich(Q2) },
  { name: 'transfer: newest agent is the target', parts: S.transfer, trigger: 'agent-connected', target: 'agent', expected: enrich(Q2, 'p-agent2') },
  { name: 'transfer: second agent alerting', parts: S.transferAlerting, trigger: 'agent-connected', target: 'customer', expected: wait('agent-alerting') },
  { name: 'transfer: second queue waiting', parts: S.transferAlerting, trigger: 'queued', target: 'customer', expected: enrich(Q2) },
  { name: 'transfer from an unwatched queue', parts: S.transferFromOtherQueue, trigger: 'agent-connected', target: 'customer', expected: enrich(Q2) },
  { name: 'transfer to an unwatched queue', parts: S.transferToOtherQueue, trigger: 'agent-connected', target: 'customer', expected: wait('no-agent-connected') },
  { name: 'transfer to an unwatched queue', parts: S.transferToOtherQueue, trigger: 'queued', target: 'customer', expected: wait('left-watched-queue') },
  { name: 'requeue: waiting again', parts: S.requeue, trigger: 'agent-connected', target: 'customer', expected: wait('in-queue') },
  { name: 'requeue: waiting again', parts: S.requeue, trigger: 'queued', target: 'customer', expected: enrich(Q1) },
  { name: 'requeue: second agent', parts: S.requeueConnected, trigger: 'agent-connected', target: 'agent', expected: enrich(Q1, 'p-agent2') },
  { name: 'marker present', parts: S.markerOnCustomer, trigger: 'agent-connected', target: 'customer', expected: skip('already-enriched', Q1, 'p-cust') },
  { name: 'marker present, requeued', parts: S.markerAfterRequeue, trigger: 'queued', target: 'customer', expected: skip('already-enriched', Q1, 'p-cust') },
  { name: 'marker present, ended', parts: S.markerAndEnded, trigger: 'agent-connected', target: 'customer', expected: skip('already-enriched', Q1, 'p-cust') },
  { name: 'marker present after a transfer: newest queue', parts: S.markerAfterTransfer, trigger: 'agent-connected', target: 'customer', expected: skip('already-enriched', Q2, 'p-cust') },
  { name: 'transferred, marker only on the customer, target agent', parts: S.markerAfterTransfer, trigger: 'agent-connected', target: 'agent', expected: enrich(Q2, 'p-agent2') },
  { name: 'ended after a transfer: newest queue', parts: S.endedAfterTransfer, trigger: 'queued', target: 'agent', expected: skip('conversation-ended', Q2, 'p-agent2') },
  { name: 'marker on the customer, target agent', parts: S.markerOnCustomer, trigger: 'agent-connected', target: 'agent', expected: enrich(Q1, 'p-agent') },
  { name: 'marker on the agent', parts: S.markerOnAgent, trigger: 'agent-connected', target: 'agent', expected: skip('already-enriched', Q1, 'p-agent') },
  { name: 'marker on the agent, target customer', parts: S.markerOnAgent, trigger: 'agent-connected', target: 'customer', expected: enrich(Q1) },
  { name: 'ended early (abandoned in queue)', parts: S.endedInQueue, trigger: 'agent-connected', target: 'customer', expected: skip('conversation-ended', Q1, 'p-cust') },
  { name: 'ended early (abandoned in queue)', parts: S.endedInQueue, trigger: 'queued', target: 'customer', expected: skip('conversation-ended', Q1, 'p-cust') },
  { name: 'ended while alerting', parts: S.endedWhileAlerting, trigger: 'agent-connected', target: 'agent', expected: skip('conversation-ended', Q1, 'p-agent') },
  { name: 'ended after the agent, seen late', parts: S.endedAfterAgent, trigger: 'agent-connected', target: 'customer', expected: skip('conversation-ended', Q1, 'p-cust') },
  { name: 'ended after the agent, seen late', parts: S.endedAfterAgent, trigger: 'queued', target: 'customer', expected: skip('conversation-ended', Q1, 'p-cust') },
  { name: 'outbound, no queue', parts: S.outbound, trigger: 'agent-connected', target: 'customer', expected: wait('not-routed') },
  { name: 'outbound on behalf of a watched queue', parts: S.outboundForQueue, trigger: 'agent-connected', target: 'customer', expected: enrich(Q1, 'p-ext', 'p-ext') },
  { name: 'outbound on behalf of a watched queue', parts: S.outboundForQueue, trigger: 'agent-connected', target: 'agent', expected: enrich(Q1, 'p-user', 'p-ext') },
  { name: 'unknown queue', parts: S.unknownQueue, trigger: 'queued', target: 'customer', expected: wait('queue-not-configured') },
  { name: 'unknown queue, agent connected', parts: S.unknownQueueAgent, trigger: 'agent-connected', target: 'customer', expected: wait('queue-not-configured') },
  { name: 'no customer', parts: S.noCustomer, trigger: 'agent-connected', target: 'customer', expected: skip('no-customer', Q1) },
  { name: 'consult: the connected agent fires', parts: S.consult, trigger: 'agent-connected', target: 'agent', expected: enrich(Q1, 'p-agent') },
  { name: 'reconnected agent (newest entry connected)', parts: S.reconnected, trigger: 'agent-connected', target: 'customer', expected: enrich(Q1) },
];

const cases = scenarios.flatMap((s) => MEDIA.flatMap((media) => SHAPES.map((shape) => ({ ...s, media, shape }))));

describe('detect', () => {
  it.each(cases)('$name ($trigger, target $target) – $media, $shape shape', ({ parts, trigger, target, expected, media, shape }) => {
    const view = toConversationView(body(shape, CONV, media, parts), shape === 'specific' ? media : undefined);
    expect(view).toBeDefined();
    const want = expected.kind === 'enrich' ? { ...expected, media } : expected;
    expect(summary(detect(view!, options(trigger, target)))).toEqual(want);
  });

  it.each(cases.filter((c) => c.expected.kind === 'enrich'))(
    'unwatched media is skipped: $name – $media, $shape shape',
    ({ parts, trigger, target, media, shape }) => {
      const view = toConversationView(body(shape, CONV, media, parts), shape === 'specific' ? media : undefined)!;
      const d = detect(view, options(trigger, target, MEDIA.filter((m) => m !== media)));
      expect(d).toMatchObject({ kind: 'skip', reason: 'media-not-configured', conversationId: CONV });
    },
  );

  it('gives the same verdict for a repeated snapshot and names the conversation', () => {
    const view = toConversationView(body('generic', CONV, 'call', S.onHold))!;
    const opts = options('agent-connected', 'customer');
    const first = detect(view, opts);
    expect(detect(view, opts)).toEqual(first);
    expect(first).toMatchObject({ kind: 'enrich', conversationId: CONV });
  });

  it('skips a media-specific body without a media hint as media-not-configured', () => {
    const view = toConversationView(body('specific', CONV, 'chat', S.agentConnected))!;
    expect(detect(view, options('agent-connected', 'customer'))).toMatchObject({ kind: 'skip', reason: 'media-not-configured' });
  });

  it('takes the media of the routed participant when the customer shows another one', () => {
    const parts = [customer(live), acd('p-acd', Q1, done), agent('p-agent', Q1, live)];
    const raw = body('generic', CONV, 'callback', parts) as { participants: Record<string, unknown>[] };
    // A callback whose customer leg became a call: the agent still holds the callback.
    const cust = raw.participants[0]!;
    cust.calls = cust.callbacks;
    delete cust.callbacks;
    const view = toConversationView(raw)!;
    expect(detect(view, options('agent-connected', 'customer', ['callback']))).toMatchObject({ kind: 'enrich', media: 'callback' });
  });

  it('waits on an empty conversation and on one that is only customer', () => {
    expect(detect({ id: CONV, participants: [] }, options('queued', 'customer'))).toEqual(wait('not-routed'));
    const view = toConversationView(body('generic', CONV, 'chat', [customer(live)]))!;
    expect(detect(view, options('queued', 'customer'))).toEqual(wait('not-routed'));
  });
});

describe('detect: the marker counts only when it verifies', () => {
  const KEY = Buffer.alloc(32, 9);
  const verified = (target: TargetRole): DetectOptions => ({ ...options('agent-connected', target), verifyMarker: markerVerifier(KEY) });
  const TRACE = '0d7c2f4e-9b1a-4c3d-8e5f-6a7b8c9d0e1f';
  const withMarker = (value: string, target: TargetRole = 'customer') =>
    target === 'customer'
      ? [customer(live, { [MARKER]: value }), acd('p-acd', Q1, done), agent('p-agent', Q1, live)]
      : [customer(live), acd('p-acd', Q1, done), agent('p-agent', Q1, live, { attributes: { [MARKER]: value } })];
  const cases: [string, string, TargetRole, string, 'forged' | undefined][] = [
    ['ours', markerValue(KEY, CONV, TRACE), 'customer', 'skip', undefined],
    ['a bare trace id', TRACE, 'customer', 'enrich', 'forged'],
    ['another conversation\'s', markerValue(KEY, 'other', TRACE), 'customer', 'enrich', 'forged'],
    ['another key\'s', markerValue(Buffer.alloc(32, 8), CONV, TRACE), 'customer', 'enrich', 'forged'],
    ['ours, on the agent target', markerValue(KEY, CONV, TRACE), 'agent', 'skip', undefined],
    ['forged, on the agent target', 'x', 'agent', 'enrich', 'forged'],
  ];
  it.each(cases)('a marker that is %s', (_name, value, target, kind, markerFound) => {
    for (const shape of SHAPES) {
      const d = detect(toConversationView(body(shape, CONV, 'call', withMarker(value, target)), shape === 'specific' ? 'call' : undefined)!, verified(target));
      expect(d.kind, shape).toBe(kind);
      if (d.kind === 'skip') expect(d.reason).toBe('already-enriched');
      if (d.kind === 'enrich') expect(d.markerFound).toBe(markerFound);
    }
  });

  it('without a marker there is nothing to report', () => {
    const d = detect(toConversationView(body('generic', CONV, 'call', S.agentConnected))!, verified('customer'));
    expect(d).toMatchObject({ kind: 'enrich' });
    expect(d.kind === 'enrich' && d.markerFound).toBeUndefined();
  });
});
