import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StateScope } from '../../../src/stream/scope.js';

describe('StateScope', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a timeout that is due while the scope lives', async () => {
    const scope = new StateScope();
    const fn = vi.fn();
    scope.timeout(fn, 100);
    await vi.advanceTimersByTimeAsync(99);
    expect(fn).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledOnce();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears its timers once on dispose', async () => {
    const scope = new StateScope();
    const fn = vi.fn();
    scope.timeout(fn, 100);
    scope.timeout(fn, 10_000);
    expect(vi.getTimerCount()).toBe(2);
    scope.dispose();
    scope.dispose();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(fn).not.toHaveBeenCalled();
  });

  it('schedules nothing once disposed', () => {
    const scope = new StateScope();
    scope.dispose();
    const fn = vi.fn();
    scope.timeout(fn, 1);
    expect(vi.getTimerCount()).toBe(0);
    expect(scope.disposed).toBe(true);
  });
});
