import { describe, expect, it } from 'vitest';
import { BUDGET_HEADROOM, Pacer, pacerSettings } from '../../../src/genesys/pacer.js';

/** Sends as fast as the pacer allows for `durationMs` of simulated time; returns the send times. */
function flood(budget: number, windowMs: number, durationMs: number, idleFirstMs = 0): number[] {
  let now = 0;
  const pacer = new Pacer(pacerSettings(budget, windowMs), () => now);
  now = idleFirstMs;
  const sent: number[] = [];
  while (now < idleFirstMs + durationMs) {
    now += pacer.reserve();
    sent.push(now);
  }
  return sent;
}

/** The most sends in any sliding window of `windowMs`. */
function busiestWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] ?? 0) - (times[j] ?? 0) >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('Pacer', () => {
  it.each([
    [1, 60_000],
    [2, 60_000],
    [10, 1_000],
    [300, 60_000],
    [300, 1_500],
    [10_000, 60_000],
  ])('never puts more than the budget of %i in any sliding window of %i ms', (budget, windowMs) => {
    const sent = flood(budget, windowMs, windowMs * 5);
    expect(busiestWindow(sent, windowMs)).toBeLessThanOrEqual(Math.floor(budget * (1 - BUDGET_HEADROOM)) + 1);
    expect(busiestWindow(sent, windowMs)).toBeLessThanOrEqual(budget);
    // and uses most of it
    expect(sent.length / 5).toBeGreaterThan(budget * 0.8 - 2);
  });

  it('lets a burst leave at once after an idle spell (start-up), then spaces', () => {
    const sent = flood(300, 60_000, 3_000, 5_000);
    const atOnce = sent.filter((t) => t - 5_000 < 1).length;
    expect(atOnce).toBe(pacerSettings(300, 60_000).burst + 1);
    expect(sent[atOnce]! - 5_000).toBeGreaterThan(200);
  });

  it('reports the wait without taking a slot', () => {
    let now = 0;
    const pacer = new Pacer({ spacingMs: 100, burst: 0 }, () => now);
    expect(pacer.reserve()).toBe(0);
    expect(pacer.delay()).toBe(100);
    expect(pacer.delay()).toBe(100);
    now = 60;
    expect(pacer.reserve()).toBe(40);
  });
});
