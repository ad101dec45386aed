import { describe, expect, it } from 'vitest';
import { StreamError } from '../../../src/stream/errors.js';
import { flowTopic, packTopics, queueTopics, type QueueMedia } from '../../../src/stream/topics.js';

const conv = (q: string, suffix = ''): string => `v2.routing.queues.${q}.conversations${suffix}`;

describe('queueTopics', () => {
  it.each<[QueueMedia[], 'generic' | 'media-specific', string[]]>([
    [['call'], 'generic', [conv('q1')]],
    [['call', 'chat', 'email'], 'generic', [conv('q1')]],
    [[], 'generic', [conv('q1')]],
    [['call'], 'media-specific', [conv('q1', '.calls')]],
    [['call', 'chat', 'message', 'email', 'callback'], 'media-specific', ['.calls', '.chats', '.messages', '.emails', '.callbacks'].map((s) => conv('q1', s))],
    [['chat', 'call', 'chat'], 'media-specific', [conv('q1', '.chats'), conv('q1', '.calls')]],
  ])('%j %s', (media, shape, expected) => {
    expect(queueTopics('q1', media, shape)).toEqual(expected);
  });

  it.each([[''], ['a.b'], ['q 1'], ['q1*']])('rejects the queue id %j', (id) => {
    expect(() => queueTopics(id, ['call'], 'generic')).toThrow(StreamError);
  });

  it('rejects media-specific topics without media', () => {
    expect(() => queueTopics('q1', [], 'media-specific')).toThrow(expect.objectContaining({ code: 'stream.invalid-topic' }));
  });
});

describe('flowTopic', () => {
  it('names the flow topic', () => {
    expect(flowTopic('f-1')).toBe('v2.flows.f-1');
  });
  it('rejects an id with a dot', () => {
    expect(() => flowTopic('f.1')).toThrow(StreamError);
  });
});

describe('packTopics', () => {
  const queues = (n: number, suffixes: readonly string[] = ['']): string[] =>
    Array.from({ length: n }, (_, i) => suffixes.map((s) => conv(`q${i}`, s))).flat();

  it.each<[string, number, number[]]>([
    ['nothing', 0, []],
    ['one', 1, [1]],
    ['exactly one channel', 1000, [1000]],
    ['one over', 1001, [1000, 1]],
    ['exactly twenty channels', 20_000, Array<number>(20).fill(1000)],
  ])('%s (%i topics)', (_name, n, sizes) => {
    expect(packTopics(queues(n)).map((c) => c.length)).toEqual(sizes);
  });

  it('throws a clear stream.too-many-topics past 20 channels', () => {
    const err: unknown = (() => {
      try {
        packTopics(queues(20_001));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(StreamError);
    expect(err).toMatchObject({ code: 'stream.too-many-topics' });
    expect((err as Error).message).toMatch(/20001 distinct topics need more than 20 notification channels of at most 1000 topics/);
  });

  it('honours smaller limits', () => {
    expect(packTopics(queues(5), { perChannel: 2, maxChannels: 3 })).toEqual([
      [conv('q0'), conv('q1')],
      [conv('q2'), conv('q3')],
      [conv('q4')],
    ]);
    expect(() => packTopics(queues(7), { perChannel: 2, maxChannels: 3 })).toThrow(StreamError);
  });

  it('removes duplicates, keeping the first occurrence', () => {
    expect(packTopics([conv('a'), 'v2.flows.f', conv('a'), 'v2.flows.f', conv('b')])).toEqual([[conv('a'), 'v2.flows.f', conv('b')]]);
  });

  it('does not count duplicates against the limits', () => {
    const twice = [...queues(1000), ...queues(1000)];
    expect(packTopics(twice).map((c) => c.length)).toEqual([1000]);
  });

  it('keeps the topics of one queue on one channel', () => {
    const five = ['.calls', '.chats', '.messages', '.emails', '.callbacks'];
    // 3 queues x 5 topics with 8 per channel: a plain split would cut q1 in two.
    const channels = packTopics(queues(3, five), { perChannel: 8 });
    expect(channels.map((c) => c.length)).toEqual([5, 5, 5]);
    for (const channel of channels) expect(new Set(channel.map((t) => t.split('.')[3])).size).toBe(1);
  });

  it('fills earlier channels first, so appending a queue leaves existing channels alone', () => {
    const before = packTopics([...queues(3, ['.calls', '.chats'])], { perChannel: 4 });
    const after = packTopics([...queues(3, ['.calls', '.chats']), conv('z', '.calls')], { perChannel: 4 });
    expect(after.slice(0, before.length)).toEqual(before.map((c, i) => (i === before.length - 1 ? [...c, conv('z', '.calls')] : c)));
  });

  it('splits a group larger than a channel rather than failing', () => {
    const big = Array.from({ length: 5 }, (_, i) => conv('q', `.x${i}`));
    expect(packTopics(big, { perChannel: 2 }).map((c) => c.length)).toEqual([2, 2, 1]);
  });

  it('rejects a non-positive channel size', () => {
    expect(() => packTopics(['a'], { perChannel: 0 })).toThrow(RangeError);
  });
});
