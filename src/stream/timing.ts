/**
 * The timing and reconnect decisions of a notification channel, as pure functions so they can be
 * table-tested without sockets or fake timers. The channel only schedules what these return.
 */

/** Reconnect backoff: `minMs * factor^(attempt-1)` capped at `maxMs`, then shortened by up to `jitter`. */
export interface BackoffOptions {
  /** Delay before the first retry. */
  minMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /** Growth per consecutive failure (>= 1). */
  factor: number;
  /** Fraction (0..1) by which a delay may be randomly shortened, so many channels do not retry in step. */
  jitter: number;
}

/** Largest delay `setTimeout` honours (a bigger one fires at once). */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Delay before connection attempt number `attempt` (1 = first retry after a failure); 0 when
 * there was no failure. `random` returns [0, 1).
 */
export function backoffDelayMs(attempt: number, b: BackoffOptions, random: () => number = Math.random): number {
  if (attempt <= 0) return 0;
  const grown = b.minMs * Math.pow(Math.max(1, b.factor), attempt - 1);
  const capped = Math.min(b.maxMs, grown);
  const jitter = Math.min(1, Math.max(0, b.jitter));
  return Math.max(0, Math.round(capped * (1 - jitter * random())));
}

/** What the heartbeat watchdog does when its timer fires. */
export type WatchdogStep = { action: 'wait'; delayMs: number } | { action: 'ping' } | { action: 'reconnect' };

/** Inputs of {@link watchdogStep}; times in epoch ms. */
export interface WatchdogInput {
  now: number;
  /** Last sign of life: the last frame of any kind, or the open time if none came since. */
  lastLifeAt: number;
  /** When the last `{"message":"ping"}` was sent on this socket, if ever. */
  pingSentAt: number | undefined;
  heartbeatTimeoutMs: number;
  pongTimeoutMs: number;
}

/**
 * Liveness rule: any frame counts as life. After `heartbeatTimeoutMs` of silence, ping; when a
 * ping has had no frame after it for `pongTimeoutMs`, reconnect. Otherwise wait for the next due time.
 */
export function watchdogStep(s: WatchdogInput): WatchdogStep {
  if (s.pingSentAt !== undefined && s.lastLifeAt < s.pingSentAt) {
    const waited = s.now - s.pingSentAt;
    return waited >= s.pongTimeoutMs ? { action: 'reconnect' } : { action: 'wait', delayMs: s.pongTimeoutMs - waited };
  }
  const silent = s.now - s.lastLifeAt;
  return silent >= s.heartbeatTimeoutMs ? { action: 'ping' } : { action: 'wait', delayMs: s.heartbeatTimeoutMs - silent };
}

/**
 * How long until a channel expiring at `expiresAt` must be renewed: `rotateBeforeExpiryMs` ahead of
 * expiry, or at half the remaining life when the channel lives shorter than that (so a short-lived
 * channel cannot make the channel rotate in a tight loop).
 */
export function renewalDelayMs(expiresAt: number, now: number, rotateBeforeExpiryMs: number): number {
  const remaining = expiresAt - now;
  if (!(remaining > 0)) return 0;
  const delay = remaining > rotateBeforeExpiryMs ? remaining - rotateBeforeExpiryMs : Math.floor(remaining / 2);
  return Math.min(MAX_TIMER_MS, delay);
}

/**
 * A channel's expiry as epoch ms: the `expires` Genesys gave, else (missing, unreadable, or not after
 * creation, which would make the channel rotate in a loop) creation time plus the assumed lifetime.
 */
export function expiryOf(expires: string | undefined, createdAt: number, assumedLifetimeMs: number): number {
  const parsed = expires === undefined ? Number.NaN : Date.parse(expires);
  return Number.isFinite(parsed) && parsed > createdAt ? parsed : createdAt + assumedLifetimeMs;
}

/**
 * After re-subscribing a channel close to its expiry: whether that kept it alive (`expires` moved
 * later) or the channel must be rotated. Genesys does not document which happens (docs/architecture.md): both are handled.
 */
export function renewalOutcome(before: number, after: string | undefined): 'extended' | 'rotate' {
  const moved = after === undefined ? Number.NaN : Date.parse(after);
  return Number.isFinite(moved) && moved > before ? 'extended' : 'rotate';
}

/** What to connect to after an open socket closed on us. */
export type ReconnectPlan = 'same-channel' | 'new-channel';

/**
 * Code 1006 (no close frame) means the network or the server process failed: the channel itself is
 * likely fine, reconnect to it (the URL provider still checks that it exists). Any close frame means
 * Genesys closed the socket on purpose; close codes are undocumented, and a second connection to the
 * same channel kicks the first, so going back could kick whoever took it over and start a fight: move
 * to a fresh channel instead.
 */
export function reconnectPlan(closeCode: number): ReconnectPlan {
  return closeCode === 1006 ? 'same-channel' : 'new-channel';
}

/** What a rotation concludes about the old socket once the new one is open. */
export type OverlapVerdict = { verdict: 'alive' } | { verdict: 'dead' } | { verdict: 'wait'; delayMs: number };

/** Inputs of {@link overlapVerdict}; times in epoch ms. */
export interface OverlapInput {
  now: number;
  /** Whether the old socket delivered any frame (a pong counts) after the new socket opened. */
  lifeSinceNewOpened: boolean;
  /** The old socket's last sign of life. */
  lastLifeAt: number;
  /** When the last probe ping went out on the old socket, if one did. */
  pingSentAt: number | undefined;
  heartbeatTimeoutMs: number;
  pongTimeoutMs: number;
}

/**
 * Whether a rotation overlapped: only a frame on the old socket after the new one opened proves
 * that nothing fell between them (a socket delivers in order). Without it, the old socket is given
 * up as silent after a heartbeat window without life, or when the probe ping went unanswered for
 * `pongTimeoutMs`; until then, wait. A socket that is open but silent (half-open) looks healthy to
 * everything but this rule, so "no close yet" is never taken as proof.
 */
export function overlapVerdict(s: OverlapInput): OverlapVerdict {
  if (s.lifeSinceNewOpened) return { verdict: 'alive' };
  const silentFor = s.now - s.lastLifeAt;
  if (silentFor >= s.heartbeatTimeoutMs) return { verdict: 'dead' };
  let delayMs = s.heartbeatTimeoutMs - silentFor;
  if (s.pingSentAt !== undefined && s.lastLifeAt < s.pingSentAt) {
    const waited = s.now - s.pingSentAt;
    if (waited >= s.pongTimeoutMs) return { verdict: 'dead' };
    delayMs = Math.min(delayMs, s.pongTimeoutMs - waited);
  }
  return { verdict: 'wait', delayMs };
}
