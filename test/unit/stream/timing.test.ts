import { describe, expect, it } from 'vitest';
import { canTransition, type ChannelState } from '../../../src/stream/channel-types.js';
import {
  MAX_TIMER_MS,
  backoffDelayMs,
  expiryOf,
  reconnectPlan,
  renewalDelayMs,
  renewalOutcome,
  watchdogStep,
  type WatchdogInput,
  type WatchdogStep,
} from '../../../src/stream/timing.js';

describe('backoffDelayMs', () => {
  const b = { minMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 };
  it.each<[number, number, number]>([
    [0, 0, 0],
    [-1, 0, 0],
    [1, 0, 100],
    [2, 0, 200],
    [3, 0, 400],
    [4, 0, 800],
    [5, 0, 1_000],
    [50, 0, 1_000],
    [1, 0.5, 75], // jitter shortens by up to half
    [5, 0.998, 501],
  ])('attempt %i with random %d waits %i ms', (attempt, random, expected) => {
    expect(backoffDelayMs(attempt, b, () => random)).toBe(expected);
  });

  it('clamps a jitter outside 0..1 and a factor below 1', () => {
    expect(backoffDelayMs(3, { minMs: 100, maxMs: 1_000, factor: 0.5, jitter: 7 }, () => 0.5)).toBe(50);
    expect(backoffDelayMs(3, { minMs: 100, maxMs: 1_000, factor: 2, jitter: -1 }, () => 0.5)).toBe(400);
  });
});

describe('watchdogStep', () => {
  const base = { heartbeatTimeoutMs: 45_000, pongTimeoutMs: 10_000 };
  it.each<[string, Omit<WatchdogInput, keyof typeof base>, WatchdogStep]>([
    ['recent frame: wait for the rest of the silence window', { now: 10_000, lastLifeAt: 0, pingSentAt: undefined }, { action: 'wait', delayMs: 35_000 }],
    ['silent exactly the timeout: ping', { now: 45_000, lastLifeAt: 0, pingSentAt: undefined }, { action: 'ping' }],
    ['silent longer: ping', { now: 99_000, lastLifeAt: 0, pingSentAt: undefined }, { action: 'ping' }],
    ['ping unanswered, pong window open: wait', { now: 50_000, lastLifeAt: 0, pingSentAt: 45_000 }, { action: 'wait', delayMs: 5_000 }],
    ['ping unanswered past the pong window: reconnect', { now: 55_000, lastLifeAt: 0, pingSentAt: 45_000 }, { action: 'reconnect' }],
    ['any frame after the ping counts as the answer', { now: 55_000, lastLifeAt: 46_000, pingSentAt: 45_000 }, { action: 'wait', delayMs: 36_000 }],
    ['answered long ago, silent again: ping again', { now: 92_000, lastLifeAt: 46_000, pingSentAt: 45_000 }, { action: 'ping' }],
  ])('%s', (_name, input, expected) => {
    expect(watchdogStep({ ...base, ...input })).toEqual(expected);
  });
});

describe('renewal', () => {
  const HOUR = 3_600_000;
  it.each<[string, number, number, number]>([
    ['a day ahead: one hour before expiry', 24 * HOUR, HOUR, 23 * HOUR],
    ['shorter than the margin: half the remaining life', 40 * 60_000, HOUR, 20 * 60_000],
    ['already expired: now', -5, HOUR, 0],
    ['expiring now: now', 0, HOUR, 0],
    ['beyond what a timer can hold: capped', 100 * 24 * HOUR, HOUR, MAX_TIMER_MS],
  ])('renewalDelayMs, %s', (_name, remainingMs, margin, expected) => {
    expect(renewalDelayMs(1_000_000 + remainingMs, 1_000_000, margin)).toBe(expected);
  });

  const created = Date.parse('2030-01-01T00:00:00Z');
  it.each<[string, string | undefined, number]>([
    ['given', '2030-01-01T10:00:00Z', Date.parse('2030-01-01T10:00:00Z')],
    ['missing: creation plus the assumed life', undefined, created + 86_400_000],
    ['unreadable', 'soon', created + 86_400_000],
    ['not after creation (would rotate in a loop)', '2029-12-31T00:00:00Z', created + 86_400_000],
  ])('expiryOf, %s', (_name, expires, expected) => {
    expect(expiryOf(expires, created, 86_400_000)).toBe(expected);
  });

  it.each<[string, string | undefined, 'extended' | 'rotate']>([
    ['moved later', '2030-01-02T00:00:00Z', 'extended'],
    ['unchanged', '2030-01-01T00:00:00Z', 'rotate'],
    ['moved earlier', '2029-12-31T00:00:00Z', 'rotate'],
    ['unknown', undefined, 'rotate'],
    ['unreadable', 'later', 'rotate'],
  ])('renewalOutcome, %s', (_name, after, expected) => {
    expect(renewalOutcome(created, after)).toBe(expected);
  });
});

describe('reconnectPlan', () => {
  it.each<[number, string]>([
    [1006, 'same-channel'],
    [1000, 'new-channel'],
    [1001, 'new-channel'],
    [1005, 'new-channel'],
    [1011, 'new-channel'],
    [4000, 'new-channel'],
  ])('close code %i: %s', (code, expected) => {
    expect(reconnectPlan(code)).toBe(expected);
  });
});

describe('canTransition', () => {
  const states: ChannelState[] = ['idle', 'connecting', 'open', 'rotating', 'backoff', 'stopped'];
  const allowed = new Set([
    'idle>connecting', 'idle>stopped',
    'connecting>open', 'connecting>backoff', 'connecting>stopped',
    'open>backoff', 'open>rotating', 'open>stopped',
    'rotating>open', 'rotating>stopped',
    'backoff>connecting', 'backoff>stopped',
    'stopped>connecting',
  ]);
  it.each(states.flatMap((from) => states.map((to) => [from, to] as const)))('%s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(allowed.has(`${from}>${to}`));
  });
});
