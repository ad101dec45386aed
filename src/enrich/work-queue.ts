/**
 * A bounded FIFO between detection and the pipeline, drained by a fixed number of workers.
 * When it is full, `offer` says no and the caller leaves the conversation unclaimed, so a later
 * snapshot or the backfill can bring it back: the queue never grows without bound.
 */
export class WorkQueue<T> {
  private readonly items: T[] = [];
  private head = 0;
  private active = 0;
  private stopped = false;
  private readonly idle: (() => void)[] = [];

  constructor(
    private readonly capacity: number,
    private readonly concurrency: number,
    private readonly worker: (item: T) => Promise<void>,
  ) {}

  /** Adds an item; false when the queue is full or stopped. */
  offer(item: T): boolean {
    if (this.stopped || this.depth >= this.capacity) return false;
    this.items.push(item);
    this.pump();
    return true;
  }

  /** Items waiting (not counting those being worked on). */
  get depth(): number {
    return this.items.length - this.head;
  }

  get inFlight(): number {
    return this.active;
  }

  /** Stops taking items; returns the ones that never started. */
  stop(): T[] {
    this.stopped = true;
    const left = this.items.slice(this.head);
    this.items.length = 0;
    this.head = 0;
    return left;
  }

  /** Resolves once nothing is in flight and nothing waits. */
  async whenIdle(): Promise<void> {
    if (this.active === 0 && this.depth === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.active < this.concurrency && this.depth > 0) {
      const item = this.items[this.head] as T;
      this.head++;
      // Compact now and then so the array does not grow with the total count.
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
      this.active++;
      void this.worker(item)
        .catch(() => undefined)
        .finally(() => {
          this.active--;
          this.pump();
          if (this.active === 0 && this.depth === 0) for (const resolve of this.idle.splice(0)) resolve();
        });
    }
  }
}
