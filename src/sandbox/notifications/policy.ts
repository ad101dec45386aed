/** Pure decisions of the channel registry and the socket server, kept apart for table tests. */

/** What the eviction rule needs to know about a channel. */
export interface EvictionCandidate {
  readonly connected: boolean;
}

/**
 * The channel to evict when a client creates one past its limit: the oldest without a socket,
 * or the oldest of all when every channel is connected. `channels` is in creation order.
 */
export function chooseEvictee<T extends EvictionCandidate>(channels: readonly T[]): T | undefined {
  return channels.find((c) => !c.connected) ?? channels[0];
}

/**
 * A channel's expiry after a successful subscribe: moved to `now + lifetimeMs` when subscribing
 * extends channels (never moved backwards), unchanged otherwise.
 */
export function expiryAfterSubscribe(expiresAt: number, now: number, lifetimeMs: number, extend: boolean): number {
  return extend ? Math.max(expiresAt, now + lifetimeMs) : expiresAt;
}

const CHANNEL_PATH = /^\/channels\/([^/]+)$/;

/** The channel id of a websocket upgrade URL (`/channels/{id}`, query ignored), or `undefined`. */
export function channelIdFromPath(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const m = CHANNEL_PATH.exec(path);
  if (!m?.[1]) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}

/** Longest delay `setTimeout` honours; longer ones fire at once, so expiry timers re-arm in steps. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Delay until `at`, clamped to what a timer can wait. */
export function timerDelay(at: number, now: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(0, at - now));
}
