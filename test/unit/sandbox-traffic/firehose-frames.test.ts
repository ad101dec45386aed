import { describe, expect, it } from 'vitest';
import { buildFirehoseFrames } from '../../../src/sandbox/traffic/firehose-frames.js';
import { QUEUES } from './fake-org.js';

const queueIds = QUEUES.map((q) => q.id);

interface Frame {
  topicName: string;
  version: string;
  eventBody: { id: string; participants: { purpose: string; calls?: { state: string }[]; [k: string]: unknown }[] };
  metadata: { CorrelationId: string };
}

function legState(p: Frame['eventBody']['participants'][number]): string | undefined {
  for (const key of ['calls', 'chats', 'messages', 'emails', 'callbacks']) {
    const legs = p[key] as { state: string }[] | undefined;
    if (legs) return legs[0]?.state;
  }
  return undefined;
}

describe('buildFirehoseFrames', () => {
  it.each([
    [1000, 100],
    [1000, 10],
    [50, 100],
    [333, 7],
  ])('builds %d frames over %d conversations', (count, conversations) => {
    const frames = buildFirehoseFrames(count, { queueIds, conversations, seed: 1 });
    expect(frames).toHaveLength(count);
    const parsed = frames.map((f) => JSON.parse(f) as Frame);
    const ids = new Set(parsed.map((f) => f.eventBody.id));
    expect(ids.size).toBe(Math.min(count, conversations));
    for (const f of parsed) {
      expect(f.version).toBe('2');
      expect(f.topicName).toMatch(/^v2\.routing\.queues\.[0-9a-f-]{36}\.conversations$/);
      expect(queueIds).toContain(f.topicName.split('.')[3]);
      expect(f.metadata.CorrelationId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(new Set(parsed.map((f) => f.metadata.CorrelationId)).size).toBe(count);
  });

  it('keeps each conversation in lifecycle order and overlaps conversations', () => {
    const frames = buildFirehoseFrames(2000, { queueIds, conversations: 100, seed: 2 }).map((f) => JSON.parse(f) as Frame);
    const lastIndex = new Map<string, number>();
    const firstIndex = new Map<string, number>();
    const participantsSeen = new Map<string, number>();
    frames.forEach((f, i) => {
      const id = f.eventBody.id;
      if (!firstIndex.has(id)) firstIndex.set(id, i);
      lastIndex.set(id, i);
      // Participants are only ever added: a later frame never has fewer.
      const n = f.eventBody.participants.length;
      expect(n).toBeGreaterThanOrEqual(participantsSeen.get(id) ?? 0);
      participantsSeen.set(id, n);
    });
    // Like live traffic, many conversations are in flight at once (not one after the other).
    const mid = frames.length / 2;
    const inFlight = [...firstIndex].filter(([id, first]) => first <= mid && (lastIndex.get(id) ?? 0) >= mid).length;
    expect(inFlight).toBeGreaterThan(20);
    // Most conversations reach an agent.
    const connected = new Set(frames.filter((f) => f.eventBody.participants.some((p) => p.purpose === 'agent' && legState(p) === 'connected')).map((f) => f.eventBody.id));
    expect(connected.size).toBeGreaterThan(60);
  });

  it('makes realistic frames (one to four kilobytes) and the same frames for the same seed', () => {
    const a = buildFirehoseFrames(500, { queueIds, conversations: 50, seed: 3 });
    const b = buildFirehoseFrames(500, { queueIds, conversations: 50, seed: 3 });
    const c = buildFirehoseFrames(500, { queueIds, conversations: 50, seed: 4 });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    const mean = a.reduce((s, f) => s + Buffer.byteLength(f), 0) / a.length;
    expect(mean).toBeGreaterThan(800);
    expect(mean).toBeLessThan(4000);
  });

  it('can use the media-specific topics', () => {
    const frames = buildFirehoseFrames(100, { queueIds, conversations: 10, seed: 5, topic: 'media', media: ['chat'] });
    for (const f of frames) {
      const parsed = JSON.parse(f) as Frame;
      expect(parsed.topicName).toMatch(/\.conversations\.chats$/);
      for (const p of parsed.eventBody.participants) expect(p).toHaveProperty('state');
    }
  });

  it.each([
    [-1, { queueIds, conversations: 1 }],
    [10, { queueIds, conversations: 0 }],
    [10, { queueIds: [], conversations: 1 }],
  ])('rejects count %d with %j', (count, opts) => {
    expect(() => buildFirehoseFrames(count, opts)).toThrow(expect.objectContaining({ code: 'traffic.invalid-options' }));
  });
});
