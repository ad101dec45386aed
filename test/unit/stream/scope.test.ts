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

  it('clears its timers, wakes its sleepers and runs its clean-ups once on dispose', async () => {
    const scope = new StateScope();
    const fn = vi.fn();
    const cleanup = vi.fn();
    scope.timeout(fn, 100);
    let woke = false;
    void scope.sleep(10_000).then(() => {
      woke = true;
    });
    scope.onDispose(cleanup);
    expect(vi.getTimerCount()).toBe(2);
    scope.dispose();
    scope.dispose();
    expect(vi.getTimerCount()).toBe(0);
    await scope.done;
    expect(woke).toBe(true);
    expect(cleanup).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(fn).not.toHaveBeenCalled();
  });

  it('schedules nothing once disposed', async () => {
    const scope = new StateScope();
    scope.dispose();
    const fn = vi.fn();
    scope.timeout(fn, 1);
    await scope.sleep(1_000); // resolves at once
    const late = vi.fn();
    scope.onDispose(late);
    expect(late).toHaveBeenCalledOnce();
    expect(vi.getTimerCount()).toBe(0);
    expect(scope.disposed).toBe(true);
  });

  it('sleep resolves after its time', async () => {
    const scope = new StateScope();
    let woke = false;
    void scope.sleep(50).then(() => {
      woke = true;
    });
    await vi.advanceTimersByTimeAsync(49);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(woke).toBe(true);
    expect(scope.disposed).toBe(false);
  });
});
