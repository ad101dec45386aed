// 429 pauses as a decision: scoped to the family, capped, and spread to every family only when
// several families are refused within the window.
import { describe, expect, it } from 'vitest';
import type { CallFamily } from '../../../src/genesys/calls.js';
import { PauseBoard, waitOutPause } from '../../../src/genesys/pauses.js';

const SETTINGS = { capMs: 60_000, crossFamilyWindowMs: 10_000, crossFamilyCount: 2 };

function board(): { board: PauseBoard; advance: (ms: number) => void } {
  let now = 1_000_000;
  return {
    board: new PauseBoard(SETTINGS, () => now),
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('PauseBoard', () => {
  it.each<[string, number, { pauseMs: number; capped: boolean }]>([
    ['a short Retry-After is honoured as asked', 3_000, { pauseMs: 3_000, capped: false }],
    ['a Retry-After at the cap is not capped', 60_000, { pauseMs: 60_000, capped: false }],
    ['a day is cut to the cap', 86_400_000, { pauseMs: 60_000, capped: true }],
    ['a negative ask is no pause', -5, { pauseMs: 0, capped: false }],
  ])('%s', (_name, requested, expected) => {
    const { board: b } = board();
    expect(b.rateLimited('writes', requested)).toMatchObject({ family: 'writes', ...expected, all: false });
    expect(b.remaining('writes')).toBe(expected.pauseMs);
  });

  it('pauses only the family that got the 429', () => {
    const { board: b } = board();
    b.rateLimited('analytics', 5_000);
    expect(b.remaining('analytics')).toBe(5_000);
    expect(b.remaining('writes')).toBe(0);
    expect(b.state().filter((p) => p.remainingMs > 0).map((p) => p.family)).toEqual(['analytics']);
  });

  it('pauses every family when two families are refused within the window', () => {
    const { board: b, advance } = board();
    expect(b.rateLimited('analytics', 5_000).all).toBe(false);
    advance(9_000);
    expect(b.rateLimited('conversations', 4_000).all).toBe(true);
    for (const family of ['writes', 'login', 'channels', 'flows', 'queues', 'conversations'] as CallFamily[]) expect(b.remaining(family)).toBe(4_000);
  });

  it('spreads the shortest of the families\' asks: a day-long 429 on the writes after a 1 s one elsewhere stalls only the writes', () => {
    const { board: b } = board();
    expect(b.rateLimited('analytics', 1_000).all).toBe(false);
    expect(b.rateLimited('writes', 86_400_000)).toMatchObject({ all: true, pauseMs: 60_000, capped: true });
    expect(b.remaining('writes')).toBe(60_000);
    for (const family of ['login', 'channels', 'flows', 'queues', 'conversations', 'analytics'] as CallFamily[]) expect(b.remaining(family)).toBe(1_000);
  });

  it('does not spread for two 429s of one family, nor for families further apart than the window', () => {
    const { board: b, advance } = board();
    b.rateLimited('analytics', 1_000);
    expect(b.rateLimited('analytics', 1_000).all).toBe(false);
    advance(10_000);
    expect(b.rateLimited('writes', 1_000).all).toBe(false);
    expect(b.remaining('analytics')).toBe(0);
  });

  it('extends a pause but never shortens it, and ends it when the time is up', () => {
    const { board: b, advance } = board();
    b.rateLimited('writes', 10_000);
    advance(1_000);
    b.rateLimited('writes', 2_000);
    expect(b.remaining('writes')).toBe(9_000);
    advance(9_000);
    expect(b.remaining('writes')).toBe(0);
  });
});

describe('waitOutPause', () => {
  it('returns at once when the family is not paused, and waits out a pause extended meanwhile', async () => {
    const real = new PauseBoard(SETTINGS);
    const signal = new AbortController().signal;
    const free = performance.now();
    await waitOutPause(real, 'flows', signal);
    expect(performance.now() - free).toBeLessThan(1_000);
    real.rateLimited('flows', 60);
    const started = performance.now();
    const waiting = waitOutPause(real, 'flows', signal);
    real.rateLimited('flows', 120);
    await waiting;
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    expect(real.remaining('flows')).toBe(0);
  });

  it('rejects at once when its signal aborts', async () => {
    const real = new PauseBoard(SETTINGS);
    real.rateLimited('writes', 60_000);
    const stop = new AbortController();
    const waiting = waitOutPause(real, 'writes', stop.signal);
    stop.abort();
    await expect(waiting).rejects.toThrow();
    expect(real.remaining('writes')).toBeGreaterThan(50_000);
  });
});
