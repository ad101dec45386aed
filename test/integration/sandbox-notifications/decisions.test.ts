// Table tests of the hub's pure decisions (no sockets): topic checks, subscribe plans, eviction,
// expiry, upgrade paths and ping detection.
import { describe, expect, it } from 'vitest';
import { isPing } from '../../../src/sandbox/notifications/frames.js';
import { channelIdFromPath, chooseEvictee, expiryAfterSubscribe, MAX_TIMER_MS, timerDelay } from '../../../src/sandbox/notifications/policy.js';
import { checkTopic, parseTopicList, planSubscribe, REJECTION_REASONS, type SubscribeRequest } from '../../../src/sandbox/notifications/topics.js';

const Q = 'v2.routing.queues.6c2f0b8e-1d1e-4c1b-9a55-0b2a3f1c7e10.conversations';

describe('checkTopic', () => {
  it.each([
    [Q, [], { kind: 'permitted' }],
    [`${Q}.calls`, [], { kind: 'permitted' }],
    [`${Q}.callbacks`, [], { kind: 'permitted' }],
    ['v2.flows.f1', [], { kind: 'permitted' }],
    [`${Q}.faxes`, [], { kind: 'unknown' }],
    ['v2.routing.queues..conversations', [], { kind: 'unknown' }],
    ['v2.flows.a.b', [], { kind: 'unknown' }],
    ['v2.users.u1.presence', [], { kind: 'unknown' }],
    ['', [], { kind: 'unknown' }],
    [Q, ['v2.routing.queues.'], { kind: 'denied', missingPermissions: ['routing:queue:view'] }],
    ['v2.flows.f1', ['v2.flows.'], { kind: 'denied', missingPermissions: ['architect:flow:view'] }],
    ['v2.flows.f1', ['v2.routing.'], { kind: 'permitted' }],
    // An unknown name stays unknown even when a prefix would deny it.
    ['v2.flows.', ['v2.flows.'], { kind: 'unknown' }],
  ])('%s with denied %j -> %j', (topic, denied, expected) => {
    expect(checkTopic(topic, denied)).toEqual(expected);
  });
});

describe('parseTopicList', () => {
  it.each([
    [[{ id: 'a' }, { id: 'b' }], ['a', 'b']],
    [[], []],
    [[{ id: 'a', extra: 1 }], ['a']],
    [undefined, undefined],
    [{ id: 'a' }, undefined],
    [['a'], undefined],
    [[{ id: '' }], undefined],
    [[{ id: 3 }], undefined],
    [[null], undefined],
  ])('%j -> %j', (body, expected) => {
    expect(parseTopicList(body)).toEqual(expected);
  });
});

describe('planSubscribe', () => {
  const base: SubscribeRequest = { mode: 'replace', current: [], requested: [], deniedPrefixes: [], maxTopics: 3, ignoreErrors: false };
  const queue = (n: number): string => `v2.routing.queues.q${n}.conversations`;

  it.each<[string, Partial<SubscribeRequest>, unknown]>([
    ['replace drops the old list', { current: [queue(1)], requested: [queue(2)] }, { ok: true, topics: [queue(2)] }],
    ['add keeps the old list', { mode: 'add', current: [queue(1)], requested: [queue(2)] }, { ok: true, topics: [queue(1), queue(2)] }],
    ['duplicates collapse', { mode: 'add', current: [queue(1)], requested: [queue(1), queue(1)] }, { ok: true, topics: [queue(1)] }],
    ['exactly the limit is fine', { requested: [queue(1), queue(2), queue(3)] }, { ok: true, topics: [queue(1), queue(2), queue(3)] }],
    ['past the limit is a 400', { requested: [queue(1), queue(2), queue(3), queue(4)] }, { ok: false, status: 400 }],
    ['adding past the limit is a 400', { mode: 'add', current: [queue(1), queue(2), queue(3)], requested: [queue(4)] }, { ok: false, status: 400 }],
    ['a denied topic is a 403', { requested: [queue(1), 'v2.flows.f'], deniedPrefixes: ['v2.flows.'] }, { ok: false, status: 403, code: 'missing.permissions' }],
    ['an unknown topic is a 400', { requested: [queue(1), 'v2.nope'] }, { ok: false, status: 400 }],
    ['ignoreErrors subscribes the rest', { requested: [queue(1), 'v2.flows.f', 'v2.nope'], deniedPrefixes: ['v2.flows.'], ignoreErrors: true }, { ok: true, topics: [queue(1)] }],
    ['replace with nothing clears', { current: [queue(1)], requested: [] }, { ok: true, topics: [] }],
  ])('%s', (_name, change, expected) => {
    expect(planSubscribe({ ...base, ...change })).toMatchObject(expected as object);
  });

  it('lists permitted and rejected topics with ignoreErrors', () => {
    const outcome = planSubscribe({ ...base, requested: [queue(1), 'v2.flows.f', 'v2.nope'], deniedPrefixes: ['v2.flows.'], ignoreErrors: true });
    expect(outcome).toEqual({
      ok: true,
      topics: [queue(1)],
      entities: [
        { id: queue(1), state: 'Permitted' },
        { id: 'v2.flows.f', state: 'Rejected', rejectionReason: REJECTION_REASONS.denied, missingPermissions: ['architect:flow:view'] },
        { id: 'v2.nope', state: 'Rejected', rejectionReason: REJECTION_REASONS.unknown, missingPermissions: [] },
      ],
    });
  });

  it('names the missing permissions in the 403', () => {
    const outcome = planSubscribe({ ...base, requested: ['v2.flows.f', queue(1)], deniedPrefixes: ['v2.flows.', 'v2.routing.'] });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.message).toContain('architect:flow:view, routing:queue:view');
  });
});

describe('chooseEvictee', () => {
  it.each([
    [[], undefined],
    [[{ n: 1, connected: false }, { n: 2, connected: false }], 1],
    [[{ n: 1, connected: true }, { n: 2, connected: false }, { n: 3, connected: false }], 2],
    [[{ n: 1, connected: true }, { n: 2, connected: true }, { n: 3, connected: false }], 3],
    [[{ n: 1, connected: true }, { n: 2, connected: true }], 1],
  ])('%j -> %s', (channels, expected) => {
    expect(chooseEvictee(channels)?.n).toBe(expected);
  });
});

describe('expiryAfterSubscribe', () => {
  it.each([
    [1_000, 500, 1_000, true, 1_500],
    [1_000, 500, 1_000, false, 1_000],
    // Never moves an expiry backwards.
    [5_000, 500, 1_000, true, 5_000],
  ])('expires %d, now %d, lifetime %d, extend %s -> %d', (expiresAt, now, lifetime, extend, expected) => {
    expect(expiryAfterSubscribe(expiresAt, now, lifetime, extend)).toBe(expected);
  });
});

describe('timerDelay', () => {
  it.each([
    [100, 40, 60],
    [100, 140, 0],
    [MAX_TIMER_MS * 2, 0, MAX_TIMER_MS],
  ])('at %d, now %d -> %d', (at, now, expected) => {
    expect(timerDelay(at, now)).toBe(expected);
  });
});

describe('channelIdFromPath', () => {
  it.each([
    ['/channels/streaming-0-abc', 'streaming-0-abc'],
    ['/channels/streaming-0-abc?x=1', 'streaming-0-abc'],
    ['/channels/a%20b', 'a b'],
    ['/channels/%E0%A4%A', undefined],
    ['/channels/', undefined],
    ['/channels/a/b', undefined],
    ['/api/v2/notifications/channels/a', undefined],
    ['/', undefined],
    [undefined, undefined],
  ])('%s -> %s', (url, expected) => {
    expect(channelIdFromPath(url)).toBe(expected);
  });
});

describe('isPing', () => {
  it.each([
    ['{"message":"ping"}', false, true],
    ['{ "message" : "ping" }', false, true],
    ['{"message":"ping","x":1}', false, true],
    ['{"message":"pong"}', false, false],
    ['ping', false, false],
    ['{"message":"ping"}', true, false],
    [`{"message":"ping","pad":"${'x'.repeat(300)}"}`, false, false],
  ])('%s (binary %s) -> %s', (text, binary, expected) => {
    expect(isPing(Buffer.from(text), binary)).toBe(expected);
  });
});
