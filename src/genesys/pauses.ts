/**
 * 429 pauses, scoped and bounded. Genesys limits the token and, lower, single endpoints, and its
 * 429 body does not say which limit answered. So a 429 pauses only the family of endpoints that
 * got it (a refused catch-up query must not stall live writes); only 429s from several families
 * close together mean the token's budget is spent, and then every call pauses. `Retry-After` is
 * capped: a misbehaving gateway asking for a day must not freeze the daemon for a day.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { CALL_FAMILIES, type CallFamily } from './calls.js';

/** How pauses are bounded and when they spread to every family. */
export interface PauseSettings {
  /** Longest pause one 429 may cause, whatever its `Retry-After` asks. */
  readonly capMs: number;
  /** 429s from `crossFamilyCount` different families within this window pause everything. */
  readonly crossFamilyWindowMs: number;
  /** How many different families refused within `crossFamilyWindowMs` pause everything. */
  readonly crossFamilyCount: number;
}

/** Defaults of {@link PauseSettings}. */
export const PAUSE_DEFAULTS = { capMs: 60_000, crossFamilyWindowMs: 10_000, crossFamilyCount: 2 } as const satisfies PauseSettings;

/** What one 429 did. */
export interface PauseDecision {
  readonly family: CallFamily;
  /** What the 429 asked for. */
  readonly requestedMs: number;
  /** How long the pause lasts (the request, capped). */
  readonly pauseMs: number;
  readonly capped: boolean;
  /** True when this 429 made every family pause. */
  readonly all: boolean;
}

/** A family's pause as the metrics and readiness see it. */
export interface FamilyPause {
  readonly family: CallFamily;
  /** Milliseconds until calls of this family may go again (0: not paused). */
  readonly remainingMs: number;
}

/** Pause state per family, with the clock passed in (tests use a fake one). */
export class PauseBoard {
  private readonly until = new Map<CallFamily, number>();
  private allUntil = 0;
  private recent: { readonly family: CallFamily; readonly at: number; readonly pauseMs: number }[] = [];

  constructor(
    private readonly settings: PauseSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a 429 on `family` that asked for `requestedMs` and starts (or extends) the pause. */
  rateLimited(family: CallFamily, requestedMs: number): PauseDecision {
    const now = this.now();
    const requested = Math.max(0, requestedMs);
    const pauseMs = Math.min(requested, this.settings.capMs);
    this.recent = this.recent.filter((r) => now - r.at < this.settings.crossFamilyWindowMs);
    this.recent.push({ family, at: now, pauseMs });
    // The latest 429 of each family in the window (later entries overwrite earlier ones).
    const latest = new Map(this.recent.map((r) => [r.family, r.pauseMs]));
    const all = latest.size >= this.settings.crossFamilyCount;
    this.until.set(family, Math.max(this.until.get(family) ?? 0, now + pauseMs));
    // A spent token budget answers every endpoint with about the same wait; a family that asks for
    // far longer meets a limit of its own, and keeps that pause to itself. So everything pauses for
    // the shortest of the families' latest asks, not for the longest one.
    if (all) this.allUntil = Math.max(this.allUntil, now + Math.min(...latest.values()));
    return { family, requestedMs: requested, pauseMs, capped: requested > pauseMs, all };
  }

  /** Milliseconds until `family` may call again (0: now). */
  remaining(family: CallFamily): number {
    const until = Math.max(this.until.get(family) ?? 0, this.allUntil);
    return Math.max(0, until - this.now());
  }

  /** Every family with its remaining pause, in a fixed order. */
  state(): FamilyPause[] {
    return CALL_FAMILIES.map((family) => ({ family, remainingMs: this.remaining(family) }));
  }
}

/** Waits until `family` may call again (pauses may be extended meanwhile); `signal` cuts it short (rejecting). */
export async function waitOutPause(board: PauseBoard, family: CallFamily, signal: AbortSignal): Promise<void> {
  for (let wait = board.remaining(family); wait > 0; wait = board.remaining(family)) {
    await delay(wait, undefined, { signal });
  }
}
