/**
 * Everything a channel state owns (timers, waits, clean-ups), disposed in one call when the state
 * is left, so no timer can outlive its state.
 */
export class StateScope {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly cleanups: (() => void)[] = [];
  private readonly sleepers = new Set<() => void>();
  private ended = false;
  private resolveDone: () => void = () => undefined;
  /** Settles when the scope is disposed (the state was left). */
  readonly done: Promise<void>;

  constructor() {
    this.done = new Promise<void>((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** Whether the state that owned this scope has been left. */
  get disposed(): boolean {
    return this.ended;
  }

  /** Runs `fn` after `ms` unless the scope is disposed first. */
  timeout(fn: () => void, ms: number): void {
    if (this.ended) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Resolves after `ms`, or at once when the scope is disposed (callers re-check what they wait for). */
  sleep(ms: number): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        this.sleepers.delete(wake);
        resolve();
      };
      this.sleepers.add(wake);
      this.timeout(wake, ms);
    });
  }

  /** Registers clean-up work for when the state is left (runs at once if it already was). */
  onDispose(fn: () => void): void {
    if (this.ended) fn();
    else this.cleanups.push(fn);
  }

  /** Clears every timer, wakes every sleeper and runs the clean-ups; idempotent. */
  dispose(): void {
    if (this.ended) return;
    this.ended = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const wake of [...this.sleepers]) wake();
    for (const fn of this.cleanups.splice(0)) fn();
    this.resolveDone();
  }
}
