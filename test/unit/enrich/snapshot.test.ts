import { describe, expect, it } from 'vitest';
import { isTerminalState, toConversationView, type MediaType } from '../../../src/enrich/snapshot.js';
import { acd, agent, AGENT1, body, customer, MEDIA, Q1 } from './fixtures.js';

const CONV = '7d1e8c40-5a3b-4f6e-9c21-3e4f5a6b7c8d';

/** A generic-shape queue conversation frame body as Genesys sends it. */
const EXAMPLE = {
  id: CONV,
  participants: [
    { id: 'p-cust', purpose: 'customer', address: 'tel:+4915112345678', attributes: {}, calls: [{ id: 'c1', state: 'connected', direction: 'inbound' }] },
    { id: 'p-acd', purpose: 'acd', queueId: Q1, calls: [{ id: 'c2', state: 'disconnected', disconnectType: 'transfer' }] },
    { id: 'p-agent', purpose: 'agent', userId: AGENT1, queueId: Q1, calls: [{ id: 'c3', state: 'connected', initialState: 'alerting' }] },
  ],
};

function oneParticipant(p: Record<string, unknown>, hint?: MediaType) {
  return toConversationView({ id: CONV, participants: [{ id: 'p', purpose: 'agent', ...p }] }, hint)?.participants[0];
}

describe('toConversationView', () => {
  it('reads the documented example frame', () => {
    expect(toConversationView(EXAMPLE)).toEqual({
      id: CONV,
      participants: [
        { id: 'p-cust', purpose: 'customer', address: 'tel:+4915112345678', media: 'call', state: 'connected', attributes: {} },
        { id: 'p-acd', purpose: 'acd', queueId: Q1, media: 'call', state: 'disconnected', attributes: {} },
        { id: 'p-agent', purpose: 'agent', queueId: Q1, userId: AGENT1, media: 'call', state: 'connected', attributes: {} },
      ],
    });
  });

  it.each(MEDIA)('reads both shapes of a %s conversation alike', (media) => {
    const parts = [customer(['connected'], { k: 'v' }), acd('p-acd', Q1, ['disconnected']), agent('p-agent', Q1, ['connected'])];
    const generic = toConversationView(body('generic', CONV, media, parts));
    const specific = toConversationView(body('specific', CONV, media, parts), media);
    const pick = (v: typeof generic) => v?.participants.map(({ id, purpose, queueId, userId, media: m, state, attributes }) => ({ id, purpose, queueId, userId, media: m, state, attributes }));
    expect(pick(generic)).toEqual(pick(specific));
    expect(pick(generic)).toEqual([
      { id: 'p-cust', purpose: 'customer', queueId: undefined, userId: undefined, media, state: 'connected', attributes: { k: 'v' } },
      { id: 'p-acd', purpose: 'acd', queueId: Q1, userId: undefined, media, state: 'disconnected', attributes: {} },
      { id: 'p-agent', purpose: 'agent', queueId: Q1, userId: AGENT1, media, state: 'connected', attributes: {} },
    ]);
  });

  it.each([
    { name: 'a connected entry beats a newer live one', entries: { calls: [{ state: 'connected' }, { state: 'alerting' }] }, media: 'call', state: 'connected' },
    { name: 'a live entry beats a newer ended one', entries: { chats: [{ state: 'alerting' }, { state: 'disconnected' }] }, media: 'chat', state: 'alerting' },
    { name: 'the newest of two connected entries', entries: { calls: [{ state: 'connected', connectedTime: 'a' }, { state: 'connected', connectedTime: 'b' }] }, media: 'call', state: 'connected' },
    { name: 'all ended: the newest', entries: { emails: [{ state: 'terminated' }, { state: 'disconnected' }] }, media: 'email', state: 'disconnected' },
    { name: 'a callback that became a call stays a callback', entries: { callbacks: [{ state: 'disconnected' }], calls: [{ state: 'connected' }] }, media: 'callback', state: 'connected' },
    { name: 'a dialled callback whose callback entry is still connected', entries: { callbacks: [{ state: 'connected' }], calls: [{ state: 'connected' }] }, media: 'callback', state: 'connected' },
    { name: 'a callback entry without a state still names the media', entries: { callbacks: [{ callbackNumbers: ['+4915112345678'] }], calls: [{ state: 'dialing' }] }, media: 'callback', state: 'dialing' },
    { name: 'a pending callback next to an ended call', entries: { calls: [{ state: 'disconnected' }], callbacks: [{ state: 'alerting' }] }, media: 'callback', state: 'alerting' },
    { name: 'messages', entries: { messages: [{ state: 'connected' }] }, media: 'message', state: 'connected' },
    { name: 'entries without a state are ignored', entries: { calls: [{ state: 'connected' }, { id: 'x' }, null, 7] }, media: 'call', state: 'connected' },
    { name: 'no entries at all', entries: {}, media: undefined, state: undefined },
    { name: 'media this daemon does not know', entries: { videos: [{ state: 'connected' }] }, media: undefined, state: undefined },
  ])('generic shape: $name', ({ entries, media, state }) => {
    const p = oneParticipant(entries);
    expect(p?.media).toBe(media);
    expect(p?.state).toBe(state);
  });

  it('takes the connected time of the chosen entry and the end of an ended one', () => {
    expect(oneParticipant({ calls: [{ state: 'connected', connectedTime: 'T1' }] })).toMatchObject({ connectedTime: 'T1' });
    const ended = oneParticipant({ calls: [{ state: 'disconnected', connectedTime: 'T1', disconnectedTime: 'T2' }] });
    expect(ended).toMatchObject({ connectedTime: 'T1', endTime: 'T2' });
    const live = oneParticipant({ calls: [{ state: 'connected', disconnectedTime: 'T2' }] });
    expect(live?.endTime).toBeUndefined();
    expect(oneParticipant({ connectedTime: 'P1', endTime: 'P2', calls: [{ state: 'disconnected', connectedTime: 'T1', disconnectedTime: 'T2' }] })).toMatchObject({
      connectedTime: 'P1',
      endTime: 'P2',
    });
  });

  it('media-specific shape: state on the participant, media from the hint, queue and user as references', () => {
    const raw = { state: 'connected', queue: { id: Q1, name: 'Q' }, user: { id: AGENT1 }, connectedTime: 'T1', messages: [{ messageStatus: 'sent' }] };
    expect(oneParticipant(raw, 'message')).toEqual({ id: 'p', purpose: 'agent', queueId: Q1, userId: AGENT1, media: 'message', state: 'connected', connectedTime: 'T1', attributes: {} });
    expect(oneParticipant(raw)?.media).toBeUndefined();
  });

  it('uses the hint for a generic participant without media entries', () => {
    expect(oneParticipant({}, 'email')?.media).toBe('email');
    expect(oneParticipant({ calls: [{ state: 'connected' }] }, 'email')?.media).toBe('call');
  });

  it('keeps the frame attribute object when it is clean and filters one that is not', () => {
    const clean = { a: '1', b: '' };
    expect(oneParticipant({ attributes: clean })?.attributes).toBe(clean);
    expect(oneParticipant({ attributes: { a: '1', n: 2, o: {}, z: null } })?.attributes).toEqual({ a: '1' });
    expect(oneParticipant({ attributes: ['x'] })?.attributes).toEqual({});
    expect(oneParticipant({ attributes: 'x' })?.attributes).toEqual({});
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a string', '{"id":"x","participants":[]}'],
    ['an array', [{ id: 'x', participants: [] }]],
    ['an empty object', {}],
    ['a numeric id', { id: 5, participants: [] }],
    ['an empty id', { id: '', participants: [] }],
    ['no participants', { id: 'x' }],
    ['participants not an array', { id: 'x', participants: { 0: { id: 'p', purpose: 'customer' } } }],
  ])('returns undefined for %s', (_name, input) => {
    expect(toConversationView(input)).toBeUndefined();
  });

  it('drops malformed participants and ignores malformed fields', () => {
    const view = toConversationView({
      id: 'x',
      participants: [
        null,
        1,
        'p',
        [],
        {},
        { id: 'no-purpose' },
        { purpose: 'customer' },
        { id: '', purpose: 'customer' },
        { id: 7, purpose: 'customer' },
        { id: 'ok', purpose: 'customer', queueId: 5, userId: {}, address: [], queue: 'q', user: { id: 3 }, calls: 'nope', chats: {}, state: 9, connectedTime: 1, attributes: 7 },
      ],
    });
    expect(view).toEqual({ id: 'x', participants: [{ id: 'ok', purpose: 'customer', attributes: {} }] });
  });

  it('never throws on random junk', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const atoms = [null, undefined, 0, -1, 'connected', 'disconnected', '', true, [], {}, 'customer', 'acd', Q1];
    const keys = ['id', 'purpose', 'participants', 'calls', 'chats', 'state', 'queueId', 'queue', 'attributes', 'endTime', 'user'];
    const junk = (depth: number): unknown => {
      const pick = rnd(4);
      if (depth === 0 || pick === 0) return atoms[rnd(atoms.length)];
      if (pick === 1) return Array.from({ length: rnd(4) }, () => junk(depth - 1));
      return Object.fromEntries(Array.from({ length: rnd(6) }, () => [keys[rnd(keys.length)]!, junk(depth - 1)]));
    };
    let views = 0;
    for (let i = 0; i < 3000; i++) {
      const input = i % 2 === 0 ? junk(5) : { id: 'c', participants: junk(4) };
      const view = toConversationView(input, i % 3 === 0 ? 'call' : undefined);
      if (view !== undefined) {
        views++;
        for (const p of view.participants) {
          expect(typeof p.id).toBe('string');
          expect(typeof p.purpose).toBe('string');
        }
      }
    }
    expect(views).toBeGreaterThan(0);
  });
});

describe('isTerminalState', () => {
  it.each([
    ['disconnected', true],
    ['terminated', true],
    ['connected', false],
    ['alerting', false],
    [undefined, false],
  ])('%s -> %s', (state, expected) => {
    expect(isTerminalState(state)).toBe(expected);
  });
});
