import { describe, expect, it } from 'vitest';
import { ChannelBudget, rotationMode, type RotationMode } from '../../../src/stream/channel-budget.js';
import { overlapVerdict, type OverlapInput, type OverlapVerdict } from '../../../src/stream/timing.js';

describe('overlapVerdict', () => {
  const base: OverlapInput = { now: 10_000, lifeSinceNewOpened: false, lastLifeAt: 9_000, pingSentAt: undefined, heartbeatTimeoutMs: 5_000, pongTimeoutMs: 1_000 };
  it.each<[string, Partial<OverlapInput>, OverlapVerdict]>([
    ['a frame after the new socket opened proves it', { lifeSinceNewOpened: true, lastLifeAt: 0 }, { verdict: 'alive' }],
    ['life long ago but a frame since the open still proves it', { lifeSinceNewOpened: true, pingSentAt: 1 }, { verdict: 'alive' }],
    ['silent for a heartbeat window: dead', { lastLifeAt: 5_000 }, { verdict: 'dead' }],
    ['silent, no probe out: wait for the heartbeat window', {}, { verdict: 'wait', delayMs: 4_000 }],
    ['probe unanswered for the pong timeout: dead', { pingSentAt: 9_000, lastLifeAt: 8_999 }, { verdict: 'dead' }],
    ['probe out for a while: wait the rest of the pong timeout', { pingSentAt: 9_600 }, { verdict: 'wait', delayMs: 600 }],
    ['probe answered before the open (no life since): not proof, wait', { pingSentAt: 8_000, lastLifeAt: 9_000 }, { verdict: 'wait', delayMs: 4_000 }],
    ['probe just sent: wait the whole pong timeout', { pingSentAt: 10_000 }, { verdict: 'wait', delayMs: 1_000 }],
    ['heartbeat window ends before the pong timeout', { lastLifeAt: 5_500, pingSentAt: 9_900 }, { verdict: 'wait', delayMs: 500 }],
  ])('%s', (_name, over, expected) => {
    expect(overlapVerdict({ ...base, ...over })).toEqual(expected);
  });
});

describe('rotationMode', () => {
  it.each<[number, number, number, RotationMode]>([
    [1, 0, 20, 'make-before-break'],
    [19, 0, 20, 'make-before-break'],
    [19, 1, 20, 'break-before-make'],
    [20, 0, 20, 'break-before-make'],
    [3, 16, 20, 'make-before-break'],
    [1, 0, 1, 'break-before-make'],
  ])('%i channels, %i extra, cap %i: %s', (members, extras, cap, mode) => {
    expect(rotationMode(members, extras, cap)).toBe(mode);
  });
});

describe('ChannelBudget', () => {
  it('lets overlapping rotations hold extra channels only up to the cap, and gives room back once', () => {
    let members = 18;
    const budget = new ChannelBudget(20, () => members);
    const first = budget.tryReserve();
    const second = budget.tryReserve();
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(budget.tryReserve()).toBeUndefined();
    first?.();
    first?.(); // a second release gives nothing back
    expect(budget.held).toBe(1);
    members = 19;
    expect(budget.tryReserve()).toBeUndefined();
    second?.();
    expect(budget.tryReserve()).toBeDefined();
  });
});
