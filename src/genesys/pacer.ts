/**
 * The request budget as a pacer (the generic cell rate algorithm): calls leave at most one per
 * `spacingMs` in the long run, and after an idle spell a small burst may leave at once (start-up
 * makes several calls in a row). Spacing and burst are chosen so that no sliding window of
 * `windowMs` ever holds more than the budget (less a small headroom), whatever window the server
 * counts, so the daemon never causes a 429 itself.
 */

/** Share of the budget left unused, for arrival jitter on the server's side. */
export const BUDGET_HEADROOM = 0.02;
/** Most calls that may leave at once after an idle spell. */
const MAX_BURST = 5;

export interface PacerSettings {
  readonly spacingMs: number;
  readonly burst: number;
}

/**
 * Spacing and burst for a budget. In any interval of length L a pacer lets through at most
 * floor((L + burst * spacing) / spacing) + 1 calls; with L = windowMs that stays within the budget.
 */
export function pacerSettings(requestsPerWindow: number, windowMs: number): PacerSettings {
  const usable = requestsPerWindow * (1 - BUDGET_HEADROOM);
  const burst = Math.min(MAX_BURST, Math.floor(usable / 10));
  if (usable - burst - 1 >= 1) return { spacingMs: windowMs / (usable - burst - 1), burst };
  return { spacingMs: windowMs / usable, burst: 0 };
}

export class Pacer {
  /** Earliest time the next call may leave if there were no burst credit. */
  private theoretical = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly settings: PacerSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds the next call would have to wait (0: it may leave now). */
  delay(): number {
    const earliest = this.theoretical - this.settings.burst * this.settings.spacingMs;
    return Math.max(0, earliest - this.now());
  }

  /** Takes the next slot; returns how long to wait for it. */
  reserve(): number {
    const now = this.now();
    const wait = this.delay();
    this.theoretical = Math.max(this.theoretical, now) + this.settings.spacingMs;
    return wait;
  }
}
