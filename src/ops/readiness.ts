/**
 * Readiness as a pure decision: is the daemon able to do its job right now? Every notification
 * channel connected and heard from recently, a flow schema loaded, an unexpired token, live
 * writes not paused by a 429, and no Genesys call refused for a missing permission.
 * `/readyz` answers with the result; the daemon gathers the input (daemon/observe.ts).
 */

/** One notification channel as readiness sees it. */
export interface ReadinessChannel {
  /** A stable name for the check (the Genesys channel id, or a placeholder before it has one). */
  readonly key: string;
  /** The channel state machine's state (`open`, `rotating`, `backoff`, ...). */
  readonly state: string;
  /** When the channel last received any frame (epoch ms; 0 = none yet). */
  readonly lastFrameAt: number;
}

/** The facts readiness is decided from. */
export interface ReadinessInput {
  readonly channels: readonly ReadinessChannel[];
  /** The loaded flow schema's version, undefined while none is loaded. */
  readonly schemaVersion: string | undefined;
  /** When the Genesys token expires (epoch ms; 0 = no token). */
  readonly tokenExpiresAt: number;
  /** Remaining 429 pause per Genesys endpoint family (absent: not checked). */
  readonly genesysPauses?: readonly { readonly family: string; readonly remainingMs: number }[];
  /** Genesys calls refused with 403 since they last succeeded (absent: not checked). */
  readonly deniedCalls?: readonly { readonly endpoint: string; readonly permission: string }[];
  /** The audit trail's state (absent: a sink that cannot fail, such as stdout). */
  readonly audit?: { readonly writable: boolean; readonly pending: number; readonly error?: string };
}

/** How strict readiness is. */
export interface ReadinessOptions {
  /**
   * A channel that has heard nothing for longer than this is not ready. Pick it above the
   * liveness watchdog's window (silence + pong timeout), so only a channel the watchdog failed
   * to revive counts as silent.
   */
  readonly maxSilenceMs: number;
}

/** One named check; `detail` is for people and never carries a secret. */
export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The verdict: ready only when every check is ok. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: readonly ReadinessCheck[];
}

// A channel in these states has a live socket (rotating keeps the old one until the new one is up).
const CONNECTED_STATES: ReadonlySet<string> = new Set(['open', 'rotating']);

/** Decides readiness at `now` (epoch ms). */
export function assessReadiness(input: ReadinessInput, now: number, opts: ReadinessOptions): ReadinessReport {
  const checks: ReadinessCheck[] = [
    ...channelChecks(input.channels, now, opts.maxSilenceMs),
    schemaCheck(input.schemaVersion),
    tokenCheck(input.tokenExpiresAt, now),
    ...(input.genesysPauses !== undefined ? [writesCheck(input.genesysPauses)] : []),
    ...(input.deniedCalls !== undefined ? [permissionsCheck(input.deniedCalls)] : []),
    ...(input.audit !== undefined ? [auditCheck(input.audit)] : []),
  ];
  return { ready: checks.every((c) => c.ok), checks };
}

function channelChecks(channels: readonly ReadinessChannel[], now: number, maxSilenceMs: number): ReadinessCheck[] {
  // No channel at all means nothing is being watched: the daemon cannot see conversations.
  if (channels.length === 0) return [{ name: 'channels', ok: false, detail: 'no notification channel' }];
  return channels.map((c) => channelCheck(c, now, maxSilenceMs));
}

function channelCheck(channel: ReadinessChannel, now: number, maxSilenceMs: number): ReadinessCheck {
  const name = `channel ${channel.key}`;
  if (!CONNECTED_STATES.has(channel.state)) return { name, ok: false, detail: `${channel.state}, not connected` };
  // Open but nothing received yet: the socket has just opened (the watchdog pings a quiet socket
  // and replaces it when no pong comes, so an open channel cannot stay frameless for long).
  if (channel.lastFrameAt <= 0) return { name, ok: true, detail: `${channel.state}, no frame yet` };
  const silentMs = Math.max(0, now - channel.lastFrameAt);
  if (silentMs > maxSilenceMs) return { name, ok: false, detail: `${channel.state}, silent for ${silentMs} ms (limit ${maxSilenceMs} ms)` };
  return { name, ok: true, detail: `${channel.state}, last frame ${silentMs} ms ago` };
}

function schemaCheck(version: string | undefined): ReadinessCheck {
  if (version === undefined || version === '') return { name: 'schema', ok: false, detail: 'no flow schema loaded' };
  return { name: 'schema', ok: true, detail: `version ${version}` };
}

function tokenCheck(expiresAt: number, now: number): ReadinessCheck {
  if (expiresAt <= 0) return { name: 'token', ok: false, detail: 'no token' };
  const leftMs = expiresAt - now;
  if (leftMs <= 0) return { name: 'token', ok: false, detail: `expired ${Math.round(-leftMs / 1000)} s ago` };
  return { name: 'token', ok: true, detail: `expires in ${Math.round(leftMs / 1000)} s` };
}

function writesCheck(pauses: NonNullable<ReadinessInput['genesysPauses']>): ReadinessCheck {
  const writes = pauses.find((p) => p.family === 'writes')?.remainingMs ?? 0;
  // Other families pausing delays catch-up or start-up, not live writes: named, but not failing.
  const others = pauses.filter((p) => p.family !== 'writes' && p.remainingMs > 0).map((p) => `${p.family} ${Math.ceil(p.remainingMs / 1000)} s`);
  const also = others.length > 0 ? `; also paused: ${others.join(', ')}` : '';
  if (writes > 0) return { name: 'genesys writes', ok: false, detail: `paused for ${Math.ceil(writes / 1000)} s more after a 429${also}` };
  return { name: 'genesys writes', ok: true, detail: `not paused${also}` };
}

function permissionsCheck(denied: NonNullable<ReadinessInput['deniedCalls']>): ReadinessCheck {
  if (denied.length === 0) return { name: 'permissions', ok: true, detail: 'no call refused' };
  const list = denied.map((d) => `${d.endpoint} needs ${d.permission}`).join('; ');
  return { name: 'permissions', ok: false, detail: `refused with 403 (grant the OAuth client's role the permission): ${list}` };
}

function auditCheck(audit: NonNullable<ReadinessInput['audit']>): ReadinessCheck {
  // Enrichments cannot be accounted for while the trail refuses lines: not ready.
  if (!audit.writable) return { name: 'audit', ok: false, detail: `cannot be written (${audit.error ?? 'unknown'}), ${audit.pending} line(s) waiting` };
  return { name: 'audit', ok: true, detail: 'writable' };
}
