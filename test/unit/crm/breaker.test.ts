import { describe, expect, it } from 'vitest';
import {
  admitCall,
  advanceBreaker,
  CircuitBreaker,
  CLOSED,
  settleCall,
  type BreakerState,
  type CallResult,
} from '../../../src/crm/breaker.js';
import { RecordingLogger } from '../../integration/crm/recording-logger.js';

const cfg = { failureThreshold: 3, openMs: 100 };

describe('breaker decisions', () => {
  it.each<[string, BreakerState, number, BreakerState, boolean]>([
    ['closed admits', CLOSED, 0, CLOSED, true],
    ['open refuses before its time', { name: 'open', untilMs: 100 }, 99, { name: 'open', untilMs: 100 }, false],
    ['open admits one probe when due', { name: 'open', untilMs: 100 }, 100, { name: 'half-open', probing: true }, true],
    ['half-open admits a probe', { name: 'half-open', probing: false }, 0, { name: 'half-open', probing: true }, true],
    ['half-open refuses a second probe', { name: 'half-open', probing: true }, 0, { name: 'half-open', probing: true }, false],
  ])('admitCall: %s', (_name, state, nowMs, next, admitted) => {
    expect(admitCall(state, nowMs)).toEqual({ state: next, admitted });
  });

  it.each<[string, BreakerState, CallResult, BreakerState]>([
    ['closed success resets failures', { name: 'closed', failures: 2 }, 'success', CLOSED],
    ['closed failure counts', { name: 'closed', failures: 1 }, 'failure', { name: 'closed', failures: 2 }],
    ['threshold reached opens', { name: 'closed', failures: 2 }, 'failure', { name: 'open', untilMs: 1_100 }],
    ['closed release changes nothing', { name: 'closed', failures: 2 }, 'release', { name: 'closed', failures: 2 }],
    ['probe success closes', { name: 'half-open', probing: true }, 'success', CLOSED],
    ['probe failure reopens', { name: 'half-open', probing: true }, 'failure', { name: 'open', untilMs: 1_100 }],
    ['probe release frees the slot', { name: 'half-open', probing: true }, 'release', { name: 'half-open', probing: false }],
    ['open ignores late results', { name: 'open', untilMs: 500 }, 'success', { name: 'open', untilMs: 500 }],
    ['closed bad answer neither counts nor resets', { name: 'closed', failures: 2 }, 'bad-answer', { name: 'closed', failures: 2 }],
    ['probe with a bad answer closes (the CRM answered)', { name: 'half-open', probing: true }, 'bad-answer', CLOSED],
  ])('settleCall: %s', (_name, state, result, next) => {
    expect(settleCall(state, result, 1_000, cfg)).toEqual(next);
  });

  it('advanceBreaker only moves a due open breaker', () => {
    expect(advanceBreaker({ name: 'open', untilMs: 10 }, 9).name).toBe('open');
    expect(advanceBreaker({ name: 'open', untilMs: 10 }, 10)).toEqual({ name: 'half-open', probing: false });
    expect(advanceBreaker({ name: 'closed', failures: 1 }, 99)).toEqual({ name: 'closed', failures: 1 });
  });
});

describe('CircuitBreaker', () => {
  function setup(): { breaker: CircuitBreaker; logger: RecordingLogger; clock: { t: number } } {
    const clock = { t: 0 };
    const logger = new RecordingLogger();
    return { breaker: new CircuitBreaker(cfg, { logger, now: () => clock.t }), logger, clock };
  }

  it('opens, refuses, half-opens for one probe and closes, logging each change as a warning', () => {
    const { breaker, logger, clock } = setup();
    for (let i = 0; i < 3; i += 1) breaker.tryAcquire()!.settle('failure');
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBeUndefined();
    clock.t = 100;
    expect(breaker.state).toBe('half-open');
    const probe = breaker.tryAcquire();
    expect(probe).toBeDefined();
    expect(breaker.tryAcquire()).toBeUndefined();
    probe!.settle('success');
    expect(breaker.state).toBe('closed');
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => `${String(l.fields.from)}>${String(l.fields.to)}`)).toEqual([
      'closed>open',
      'open>half-open',
      'half-open>closed',
    ]);
  });

  it('ignores results of calls admitted before the state changed, and double settles', () => {
    const { breaker, clock } = setup();
    const straggler = breaker.tryAcquire()!;
    for (let i = 0; i < 3; i += 1) breaker.tryAcquire()!.settle('failure');
    clock.t = 100;
    const probe = breaker.tryAcquire()!;
    straggler.settle('success'); // from the closed period: must not close the half-open breaker
    expect(breaker.state).toBe('half-open');
    probe.settle('failure');
    probe.settle('success');
    expect(breaker.state).toBe('open');
  });

  it('counts only consecutive failures', () => {
    const { breaker } = setup();
    breaker.tryAcquire()!.settle('failure');
    breaker.tryAcquire()!.settle('failure');
    breaker.tryAcquire()!.settle('success');
    breaker.tryAcquire()!.settle('failure');
    breaker.tryAcquire()!.settle('failure');
    expect(breaker.state).toBe('closed');
  });
});
