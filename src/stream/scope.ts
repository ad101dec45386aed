/**
 * The timers a channel state owns, cleared in one call when the state is left, so no timer can
 * outlive its state.
 */
export class StateScope {
  private readonly timers = new Set<NodeJS.Timeout>();
  private ended = false;

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

  /** Clears every timer; idempotent. */
  dispose(): void {
    this.ended = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
