import { describe, expect, it, vi } from 'vitest';
import { abortable, settlesWithin, StartupAbortedError } from '../../../src/daemon/bounded.js';

describe('abortable', () => {
  it('passes a value or a rejection through when no abort comes', async () => {
    const ctl = new AbortController();
    await expect(abortable(Promise.resolve(7), ctl.signal)).resolves.toBe(7);
    await expect(abortable(Promise.reject(new Error('no')), ctl.signal)).rejects.toThrow('no');
    await expect(abortable(Promise.resolve(8), undefined)).resolves.toBe(8);
  });

  it('rejects with StartupAbortedError as soon as the signal aborts, while the work still hangs', async () => {
    const ctl = new AbortController();
    const never = new Promise<number>(() => undefined);
    const waiting = abortable(never, ctl.signal);
    ctl.abort();
    const err: unknown = await waiting.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupAbortedError);
    expect((err as StartupAbortedError).code).toBe('daemon.stopped');
  });

  it('rejects at once when already aborted, and a later rejection of the work stays handled', async () => {
    const ctl = new AbortController();
    ctl.abort();
    let fail: (e: Error) => void = () => undefined;
    const work = new Promise<number>((_r, reject) => {
      fail = reject;
    });
    await expect(abortable(work, ctl.signal)).rejects.toBeInstanceOf(StartupAbortedError);
    fail(new Error('late'));
    await new Promise((resolve) => setImmediate(resolve));
  });
});

describe('settlesWithin', () => {
  it('tells whether the work settled before the deadline', async () => {
    vi.useFakeTimers();
    try {
      const never = settlesWithin(new Promise(() => undefined), 1_000);
      const quick = settlesWithin(Promise.reject(new Error('x')), 1_000);
      await vi.advanceTimersByTimeAsync(999);
      await expect(quick).resolves.toBe(true);
      let done: boolean | undefined;
      void never.then((v) => (done = v));
      await vi.advanceTimersByTimeAsync(0);
      expect(done).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(done).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});
