/**
 * A concurrency gate: at most `limit` holders at once, the rest wait in FIFO order. A waiter
 * whose signal aborts leaves the queue with the signal's reason, so a queued CRM call that has
 * run out of time never reaches the CRM.
 */
export class ConcurrencyGate {
  #limit: number;
  #active = 0;
  readonly #waiters: { grant: () => void; onAbort: () => void }[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Holders right now. */
  get active(): number {
    return this.#active;
  }

  /** Waiters right now. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Changes the limit; a higher one lets waiters in at once. */
  setLimit(limit: number): void {
    this.#limit = limit;
    this.#pump();
  }

  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', waiter.onAbort);
          this.#active += 1;
          resolve(this.#releaser());
        },
        onAbort: () => {
          const at = this.#waiters.indexOf(waiter);
          if (at >= 0) this.#waiters.splice(at, 1);
          reject(signal?.reason as Error);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#pump();
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active -= 1;
      this.#pump();
    };
  }

  #pump(): void {
    while (this.#active < this.#limit) {
      const next = this.#waiters.shift();
      if (next === undefined) return;
      next.grant();
    }
  }
}
