/**
 * What a channel does while its socket stays open: the heartbeat watchdog (ping after silence,
 * give up when no pong) and the renewal before the channel expires. Every timer lives in the open
 * state's scope, so leaving the state stops both duties.
 */
import type { Logger } from '../log.js';
import type { ChannelOptions } from './channel-types.js';
import type { Connection } from './connection.js';
import { describeError } from './errors.js';
import type { StateScope } from './scope.js';
import { expiryOf, renewalDelayMs, renewalOutcome, watchdogStep } from './timing.js';

/** What the duties need from their channel. */
export interface OpenDutiesContext {
  opts: Pick<ChannelOptions, 'heartbeatTimeoutMs' | 'pongTimeoutMs' | 'rotateBeforeExpiryMs' | 'assumedLifetimeMs'>;
  log: Logger;
  now(): number;
  /** Re-subscribes the channel, then reads its `expires` again (undefined when that cannot be known). */
  resubscribe(channelId: string): Promise<string | undefined>;
  onPingSent(): void;
  /** No pong: the channel leaves the open state (which ends these duties) and reconnects. */
  onPongTimeout(conn: Connection): void;
  /** Re-subscribing did not move `expires`: the channel must be rotated. */
  onExpiring(conn: Connection): void;
  /** Runs a timer callback without letting an exception escape into the event loop. */
  guard(what: string, fn: () => void): void;
}

/** Starts the watchdog and the renewal timer of `conn` inside the open state's `scope`. */
export function startOpenDuties(conn: Connection, scope: StateScope, ctx: OpenDutiesContext): void {
  watch(conn, scope, ctx, ctx.opts.heartbeatTimeoutMs);
  scheduleRenewal(conn, scope, ctx);
}

function watch(conn: Connection, scope: StateScope, ctx: OpenDutiesContext, delayMs: number): void {
  scope.timeout(() => {
    ctx.guard('watchdog', () => {
      onWatchdog(conn, scope, ctx);
    });
  }, delayMs);
}

function onWatchdog(conn: Connection, scope: StateScope, ctx: OpenDutiesContext): void {
  const now = ctx.now();
  const { heartbeatTimeoutMs, pongTimeoutMs } = ctx.opts;
  const step = watchdogStep({ now, lastLifeAt: conn.lastLifeAt, pingSentAt: conn.pingSentAt, heartbeatTimeoutMs, pongTimeoutMs });
  if (step.action === 'wait') {
    watch(conn, scope, ctx, step.delayMs);
  } else if (step.action === 'ping') {
    conn.ping(now);
    ctx.onPingSent();
    watch(conn, scope, ctx, pongTimeoutMs);
  } else {
    ctx.onPongTimeout(conn);
  }
}

function scheduleRenewal(conn: Connection, scope: StateScope, ctx: OpenDutiesContext): void {
  const channel = conn.channel;
  const expiresAt = expiryOf(channel.expires, channel.createdAt, ctx.opts.assumedLifetimeMs);
  scope.timeout(() => {
    void renew(conn, expiresAt, scope, ctx);
  }, renewalDelayMs(expiresAt, ctx.now(), ctx.opts.rotateBeforeExpiryMs));
}

async function renew(conn: Connection, expiresAt: number, scope: StateScope, ctx: OpenDutiesContext): Promise<void> {
  const channelId = conn.channel.id;
  let after: string | undefined;
  try {
    after = await ctx.resubscribe(channelId);
  } catch (err) {
    ctx.log.warn('channel renewal failed', describeError(err));
  }
  if (scope.disposed) return;
  if (after !== undefined && renewalOutcome(expiresAt, after) === 'extended') {
    conn.renewed(after);
    ctx.log.info('channel renewed', { channelId });
    scheduleRenewal(conn, scope, ctx);
  } else {
    ctx.guard('renewal', () => {
      ctx.onExpiring(conn);
    });
  }
}
