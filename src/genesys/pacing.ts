/**
 * Pacing: when a call may go out. Three parts, each with one job:
 * - the budget (a {@link Pacer}): how many calls per window;
 * - the concurrency limit ({@link Slots}): how many calls on the wire at once; the only one;
 * - the waiting line (one Bottleneck limiter running one admission at a time): who goes next,
 *   by priority, so live writes pass catch-up work. Bottleneck admits a call (a slot and its place
 *   in the budget) and lets go of it as soon as it is sent; the request itself runs outside.
 *
 * A call that finds budget and a free slot and nobody in the line goes out at once: Bottleneck's
 * own scheduling costs a few milliseconds per call even when idle (timers inside it), which alone
 * would spend much of the daemon's latency target.
 *
 * A call whose family pauses while it waits in the line leaves it ({@link PausedInLine}) without
 * holding a slot, so paused calls never starve the families that may still go.
 */
import Bottleneck from 'bottleneck';
import { setTimeout as delay } from 'node:timers/promises';
import { Pacer, pacerSettings } from './pacer.js';

/** Priorities (Bottleneck: 0 runs first). */
export const PRIORITY = { write: 1, control: 3, backfill: 7 } as const;
/** One of {@link PRIORITY}. */
export type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];

/** The budget and the concurrency limit. */
export interface PacingOptions {
  /** Calls allowed per budget window (Genesys: per minute and token). */
  readonly requestsPerMinute: number;
  /** Most calls on the wire at once. */
  readonly maxConcurrentRequests: number;
  /** Length of the budget window (60 s in Genesys; benchmarks scale it). */
  readonly windowMs: number;
}

/** Defaults of the {@link PacingOptions} that the config file does not hold. */
export const PACING_DEFAULTS = { windowMs: 60_000 } as const satisfies Partial<PacingOptions>;

/** What pacing needs to know of one call. */
export interface PacedCall {
  readonly priority: Priority;
  /** True while the call's endpoint family is paused by a 429. */
  readonly paused: () => boolean;
  /** False: the call takes the line even when nobody waits (e.g. it must log in first). */
  readonly mayGoNow: boolean;
}

/** Thrown to a call whose family paused while it waited in the line: it leaves and waits outside. */
export class PausedInLine extends Error {
  constructor() {
    super('paused while waiting in line');
  }
}

/** Thrown to every call still waiting when pacing closes. */
export class PacingClosed extends Error {
  constructor() {
    super('pacing closed');
  }
}

/** A counted number of slots, with waiters served first come, first served. */
export class Slots {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly max: number) {}

  /** Takes a free slot unless none is free or somebody waits for one; false then. */
  tryTake(): boolean {
    if (this.active >= this.max || this.waiters.length > 0) return false;
    this.active++;
    return true;
  }

  /** Resolves once a slot is taken for the caller; `signal` stops the wait (rejecting). */
  async take(signal: AbortSignal): Promise<void> {
    while (this.active >= this.max) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      if (signal.aborted) throw new PacingClosed();
    }
    this.active++;
  }

  release(): void {
    this.active--;
    this.waiters.shift()?.();
  }

  /** Wakes every waiter (they see the aborted signal and reject). */
  wakeAll(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Calls on the wire now. */
  inUse(): number {
    return this.active;
  }
}

/** Budget, concurrency and priority for every call. */
export class Pacing {
  private readonly pacer: Pacer;
  private readonly slots: Slots;
  private readonly line = new Bottleneck({ maxConcurrent: 1 });
  /** Calls in the line (queued or being admitted): while any waits, nobody takes the fast path. */
  private inLine = 0;
  private readonly stopper = new AbortController();

  constructor(opts: PacingOptions, now: () => number = Date.now) {
    this.pacer = new Pacer(pacerSettings(opts.requestsPerMinute, opts.windowMs), now);
    this.slots = new Slots(opts.maxConcurrentRequests);
  }

  /**
   * Sends `send` when the budget, a slot and its priority allow. `call.paused` is asked while the
   * call waits in the line; when it says true the call leaves with {@link PausedInLine}, holding
   * nothing.
   */
  async run<R>(call: PacedCall, send: () => Promise<R>): Promise<R> {
    if (this.stopper.signal.aborted) throw new PacingClosed();
    if (call.mayGoNow && this.inLine === 0 && this.pacer.delay() === 0 && !call.paused() && this.slots.tryTake()) {
      this.pacer.reserve();
      return this.sendInSlot(send);
    }
    this.inLine++;
    let left = false;
    const leaveLine = (): void => {
      if (!left) this.inLine--;
      left = true;
    };
    try {
      // Sent from inside the admission, the moment its budget time comes: Bottleneck's own
      // bookkeeping after a job must not delay the send (two sends would bunch up). The job
      // answers a box, not the promise, so that Bottleneck does not wait for the answer.
      const sending = await this.line.schedule({ priority: call.priority }, async () => {
        await this.admit(call.paused);
        leaveLine();
        return { answer: this.sendInSlot(send) };
      });
      return await sending.answer;
    } finally {
      leaveLine();
    }
  }

  /** Sends with a slot already taken, and frees the slot when the answer (or error) is in. */
  private async sendInSlot<R>(send: () => Promise<R>): Promise<R> {
    try {
      return await send();
    } finally {
      this.slots.release();
    }
  }

  /** Calls waiting in the line (a metric and a readiness hint). */
  queued(): number {
    return this.inLine;
  }

  /**
   * Calls sorted into the line by priority behind its head (Bottleneck files a call in a moment
   * after it arrives; until then it waits, counted by {@link queued} only).
   */
  sorted(): number {
    return this.line.counts().QUEUED;
  }

  /** Calls on the wire now. */
  inFlight(): number {
    return this.slots.inUse();
  }

  /** Rejects every waiting call at once with {@link PacingClosed}; calls on the wire go on. */
  async close(): Promise<void> {
    if (this.stopper.signal.aborted) return;
    this.stopper.abort();
    this.slots.wakeAll();
    await this.line.stop({ dropWaitingJobs: true });
  }

  /** The head of the line: takes a slot, then waits for its place in the budget. */
  private async admit(paused: () => boolean): Promise<void> {
    await this.slots.take(this.stopper.signal);
    try {
      if (paused()) throw new PausedInLine();
      const wait = this.pacer.reserve();
      if (wait > 0) await delay(wait, undefined, { signal: this.stopper.signal });
      if (paused()) throw new PausedInLine();
    } catch (err) {
      this.slots.release();
      throw err;
    }
  }
}
