/**
 * Every timer of the traffic generator lives here, so that `stop()` clears them all and `pause()`
 * freezes them. Time inside is virtual: it stands still while paused, and tasks keep their
 * remaining delay across a pause.
 */

/** The real clock and timers (replaceable in tests; fake timers work through the globals too). */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's clock; looks the globals up on every call so that fake timers installed later still apply. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

interface Task {
  readonly id: number;
  /** Virtual time the task is due. */
  readonly dueAt: number;
  readonly fn: () => void;
  handle: unknown;
}

/** Tracked, pausable timers on a virtual clock. */
export class Scheduler {
  private readonly tasks = new Map<number, Task>();
  private nextId = 1;
  /** Real time spent paused so far (virtual time = real time - this). */
  private pausedTotal = 0;
  private pausedAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Virtual now: real time minus the time spent paused; frozen while paused. */
  now(): number {
    return (this.pausedAt ?? this.clock.now()) - this.pausedTotal;
  }

  get paused(): boolean {
    return this.pausedAt !== undefined;
  }

  /** Pending tasks. */
  get size(): number {
    return this.tasks.size;
  }

  /** Runs `fn` after `ms` of virtual time; returns an id for {@link cancel}. */
  after(ms: number, fn: () => void): number {
    const task: Task = { id: this.nextId++, dueAt: this.now() + Math.max(0, ms), fn, handle: undefined };
    this.tasks.set(task.id, task);
    if (!this.paused) this.arm(task);
    return task.id;
  }

  cancel(id: number | undefined): void {
    if (id === undefined) return;
    const task = this.tasks.get(id);
    if (!task) return;
    this.clock.clearTimeout(task.handle);
    this.tasks.delete(id);
  }

  /** Freezes every task where it is. */
  pause(): void {
    if (this.paused) return;
    this.pausedAt = this.clock.now();
    for (const task of this.tasks.values()) this.clock.clearTimeout(task.handle);
  }

  /** Continues every task with the delay it had left. */
  resume(): void {
    if (this.pausedAt === undefined) return;
    this.pausedTotal += this.clock.now() - this.pausedAt;
    this.pausedAt = undefined;
    for (const task of this.tasks.values()) this.arm(task);
  }

  /** Runs the earliest-due task now (paused or not); false when nothing is pending. */
  runNext(): boolean {
    let first: Task | undefined;
    for (const task of this.tasks.values()) if (first === undefined || task.dueAt < first.dueAt) first = task;
    if (first === undefined) return false;
    this.run(first);
    return true;
  }

  /** Runs one task now, if it is still pending. */
  runNow(id: number): boolean {
    const task = this.tasks.get(id);
    if (!task) return false;
    this.run(task);
    return true;
  }

  /** Drops every task. */
  clear(): void {
    for (const task of this.tasks.values()) this.clock.clearTimeout(task.handle);
    this.tasks.clear();
  }

  private arm(task: Task): void {
    task.handle = this.clock.setTimeout(() => {
      this.run(task);
    }, Math.max(0, task.dueAt - this.now()));
  }

  private run(task: Task): void {
    this.clock.clearTimeout(task.handle);
    if (!this.tasks.delete(task.id)) return;
    try {
      task.fn();
    } catch (err) {
      this.onError(err);
    }
  }
}
