/**
 * New conversations arrive as a Poisson process (exponential gaps around 1 / rate). Arrivals are
 * planned on the scheduler's virtual clock and caught up in bursts when timers fire late, so high
 * rates are met even though a timer cannot fire more often than about once a millisecond.
 */
import type { Rng } from './random.js';
import type { Scheduler } from './scheduler.js';

/** Most arrivals handled in one timer callback before yielding to the event loop. */
const MAX_BURST = 500;

export class Arrivals {
  private plannedAt: number;
  private count = 0;
  private timer: number | undefined;
  private cancelled = false;

  /**
   * @param limit how many conversations to start (Infinity: until cancelled)
   * @param onArrive starts one conversation
   * @param onDone called once `limit` conversations have started
   */
  constructor(
    private readonly scheduler: Scheduler,
    private readonly rng: Rng,
    private readonly ratePerSec: number,
    private readonly limit: number,
    private readonly onArrive: () => void,
    private readonly onDone: () => void = () => undefined,
  ) {
    this.plannedAt = scheduler.now();
  }

  /** Starts the first conversation at once and plans the rest. */
  start(): void {
    this.tick();
  }

  cancel(): void {
    this.cancelled = true;
    this.scheduler.cancel(this.timer);
  }

  /** Conversations started by this process. */
  get arrived(): number {
    return this.count;
  }

  private tick(): void {
    this.timer = undefined;
    const now = this.scheduler.now();
    let burst = 0;
    while (!this.cancelled && this.count < this.limit && this.plannedAt <= now && burst < MAX_BURST) {
      this.count++;
      burst++;
      this.plannedAt += this.rng.exponential(1_000 / this.ratePerSec);
      this.onArrive();
    }
    if (this.cancelled) return;
    if (this.count >= this.limit) {
      this.onDone();
      return;
    }
    this.timer = this.scheduler.after(this.plannedAt - now, () => {
      this.tick();
    });
  }
}
