/**
 * One Genesys notification channel as a state machine (idle, connecting, open, rotating, backoff,
 * stopped): keeps a socket open, watches its liveness, renews or rotates the channel before it
 * expires, and reports every window in which frames may have been lost.
 */
import type { Logger } from '../log.js';
import { canTransition, type ChannelDeps, type ChannelEvents, type ChannelOptions, type ChannelState, type ChannelStats, type GapReason } from './channel-types.js';
import { Connection } from './connection.js';
import { describeError as describe, StreamError } from './errors.js';
import { parseFrame, type Frame } from './frames.js';
import { ChannelProvisioner } from './provisioning.js';
import { startOpenDuties, type OpenDutiesContext } from './open-duties.js';
import { StateScope } from './scope.js';
import { backoffDelayMs, reconnectPlan } from './timing.js';

export { CHANNEL_DEFAULTS, canTransition } from './channel-types.js';
export type { ChannelApi, ChannelDeps, ChannelEvents, ChannelOptions, ChannelState, ChannelStats, GapInfo, GapReason, RejectedTopic } from './channel-types.js';

export { PING_TEXT } from './open-duties.js';
// Handed to reconnecting-websocket by a retired connection's provider; never dialled (RWS was closed first).
const RETIRED_URL = 'ws://127.0.0.1:9/retired';
const BINARY_FRAME: Frame = { kind: 'malformed', reason: 'binary frame' };

/** One notification channel: see the module comment. */
export class NotificationChannel {
  private stateName: ChannelState = 'idle';
  private scope = new StateScope();
  private readonly provisioner: ChannelProvisioner;
  private current: Connection | undefined;
  private next: Connection | undefined;
  private pendingGap: { reason: GapReason; from: number } | undefined;
  private serial = 0;
  private lastFrame = 0;
  private stateSince = 0;
  private readonly startWaiters: (() => void)[] = [];
  private readonly draining = new Set<Promise<void>>();
  private readonly counters = { frames: 0, pingsSent: 0, reconnects: 0, rotations: 0, gaps: 0 };
  private readonly events: ChannelEvents;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly duties: OpenDutiesContext;

  constructor(
    /** Names this channel in logs, events and metrics (e.g. `queues-0`). */
    readonly key: string,
    private readonly opts: ChannelOptions,
    private readonly deps: ChannelDeps,
  ) {
    this.events = deps.events;
    this.log = deps.logger.child({ component: 'stream.channel', channel: key });
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.provisioner = new ChannelProvisioner(opts.topics, {
      api: deps.api,
      log: this.log,
      now: this.now,
      onRejected: (rejected) => {
        this.safely('onRejectedTopics', () => this.events.onRejectedTopics?.(rejected, key));
      },
    });
    this.duties = {
      opts,
      log: this.log,
      now: this.now,
      resubscribe: async (channelId) => {
        await this.provisioner.subscribe(channelId);
        return deps.api.channelExpires?.(channelId);
      },
      onPingSent: () => {
        this.counters.pingsSent += 1;
      },
      onPongTimeout: (conn) => {
        this.pendingGap = { reason: 'reconnect', from: conn.lastLifeAt };
        conn.failures += 1;
        this.transition('backoff', 'pong-timeout');
        conn.dropSocket(); // reconnecting-websocket sees the close and asks the provider again
      },
      onExpiring: () => void this.rotate('expiry'),
      guard: (what, fn) => {
        this.safely(what, fn);
      },
    };
  }

  /** The current state. */
  get state(): ChannelState {
    return this.stateName;
  }

  /** Epoch ms of the last frame on any socket of this channel (0: none yet). */
  get lastFrameAt(): number {
    return this.lastFrame;
  }

  /**
   * Starts connecting (from idle or stopped). Resolves once the channel is first open, or when
   * `stop()` comes first; never rejects: failures are retried forever and show in `onStateChange`.
   */
  start(): Promise<void> {
    if (this.stateName === 'idle' || this.stateName === 'stopped') {
      this.pendingGap = { reason: 'start', from: this.now() };
      this.current = this.newConnection();
      this.transition('connecting', 'start');
    }
    if (this.stateName === 'open' || this.stateName === 'rotating') return Promise.resolve();
    return new Promise<void>((resolve) => this.startWaiters.push(resolve));
  }

  /** Stops for good (until the next `start()`): no timer, socket or reconnect is left once this resolves. */
  async stop(): Promise<void> {
    if (this.stateName !== 'stopped') this.transition('stopped', 'stop');
    for (const conn of [this.current, this.next]) if (conn) this.retire(conn, 'stop');
    this.current = undefined;
    this.next = undefined;
    await Promise.all([...this.draining]);
    // reconnecting-websocket may have started its zero-delay wait before the stop; let it run out
    // (its URL then comes back unused) so that no timer is left once stop() resolves.
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }

  /** Replaces the topic list; subscribes the live channel(s) in place, without reconnecting. */
  async setTopics(topics: readonly string[]): Promise<void> {
    this.provisioner.topics = topics;
    const live = [this.current, this.next].flatMap((c) => (c?.channel && !c.isRetired() ? [c.channel.id] : []));
    await Promise.all(live.map((id) => this.provisioner.subscribe(id)));
  }

  /**
   * Make-before-break: creates and subscribes a new channel, opens its socket, and only then closes
   * the old one. Resolves when the rotation is over (or was abandoned by `stop()`); a no-op unless open.
   */
  rotate(reason: string): Promise<void> {
    if (this.stateName === 'rotating') return this.scope.done;
    const old = this.current;
    if (this.stateName !== 'open' || !old) {
      this.log.debug('rotation skipped: not open', { state: this.stateName, reason });
      return Promise.resolve();
    }
    const next = this.newConnection();
    this.next = next;
    this.transition('rotating', reason);
    this.scope.onDispose(() => {
      this.retire(this.current === next ? old : next, 'rotated');
      if (this.next === next) this.next = undefined;
    });
    return this.scope.done;
  }

  /** Counters and current facts, for health and metrics. */
  stats(): ChannelStats {
    const { stateName: state, current, provisioner, lastFrame: lastFrameAt, stateSince } = this;
    return { state, channelId: current?.channel?.id, topics: provisioner.topics.length, channelsCreated: provisioner.created, lastFrameAt, stateSince, ...this.counters };
  }

  // The single place where the state changes: what the old state owned goes with it. Reasons are
  // short fixed words (they may become metric labels); details go to the log line only.
  private transition(to: ChannelState, reason: string, details: Record<string, unknown> = {}): void {
    const from = this.stateName;
    if (!canTransition(from, to)) throw new StreamError('stream.invalid-state', `channel ${this.key}: no transition ${from} -> ${to} (${reason})`);
    this.scope.dispose();
    this.stateName = to;
    this.stateSince = this.now();
    this.scope = new StateScope();
    this.log.info('channel state', { from, to, reason, ...details });
    if (to === 'open' || to === 'stopped') for (const wake of this.startWaiters.splice(0)) wake();
    this.safely('onStateChange', () => this.events.onStateChange?.(from, to, reason));
  }

  private newConnection(): Connection {
    this.serial += 1;
    const { connectTimeoutMs, closeTimeoutMs } = this.opts;
    return new Connection(this.serial, { connectTimeoutMs, closeTimeoutMs, WebSocketImpl: this.deps.WebSocketImpl }, {
      provideUrl: (c) => this.provideUrl(c),
      onOpen: (c) => {
        this.safely('open', () => {
          this.handleOpen(c);
        });
      },
      onMessage: (c, data) => {
        this.safely('message', () => {
          this.handleMessage(c, data);
        });
      },
      onClose: (c, code) => {
        this.safely('close', () => {
          this.handleClose(c, code);
        });
      },
      onSocketError: (c, err) => {
        this.log.debug('socket error', { connection: c.serial, ...describe(err) });
      },
    });
  }

  private retire(conn: Connection, reason: string): void {
    const drained = conn.retire(reason);
    this.draining.add(drained);
    void drained.then(() => this.draining.delete(drained));
  }

  /** The URL provider: backs off, makes sure a subscribed channel exists, never rejects. */
  private async provideUrl(conn: Connection): Promise<string> {
    for (;;) {
      if (conn.isRetired()) return RETIRED_URL;
      // The sleep belongs to the current state (backoff, or rotating for the next connection).
      if (conn.failures > 0) await this.scope.sleep(backoffDelayMs(conn.failures, this.opts.backoff, this.random));
      if (conn.isRetired()) return RETIRED_URL;
      if (conn === this.current && this.stateName === 'backoff') this.transition('connecting', 'retry');
      try {
        const url = await this.provisioner.ensure(conn);
        if (!conn.isRetired()) return url;
      } catch (err) {
        if (conn.isRetired()) continue;
        conn.failures += 1;
        this.log.warn('channel API call failed', { failures: conn.failures, ...describe(err) });
        if (conn === this.current && this.stateName === 'connecting') this.transition('backoff', 'channel-api-failed');
      }
    }
  }

  private handleOpen(conn: Connection): void {
    if (conn.isRetired()) return;
    const now = this.now();
    conn.openedAt = now;
    conn.pingSentAt = undefined;
    if (conn === this.next && this.stateName === 'rotating') {
      const old = this.current;
      // Overlap only counts if the old socket was alive: retired already means it closed before this
      // one opened, and a heartbeat window of silence means it may have died without a close.
      const oldDied = old !== undefined && (old.isRetired() || now - old.lastLifeAt >= this.opts.heartbeatTimeoutMs);
      const lostFrom = oldDied ? old.lastLifeAt : undefined;
      this.current = conn;
      this.next = undefined;
      this.counters.rotations += 1;
      this.transition('open', 'rotated'); // retires the old connection
      this.enterOpen(conn);
      if (lostFrom !== undefined) this.emitGap('rotation', lostFrom, now);
      return;
    }
    if (conn !== this.current || this.stateName !== 'connecting') return;
    this.transition('open', 'connected');
    this.enterOpen(conn);
    const gap = this.pendingGap;
    this.pendingGap = undefined;
    if (gap?.reason === 'reconnect') this.counters.reconnects += 1;
    if (gap) this.emitGap(gap.reason, gap.from, now);
  }

  private enterOpen(conn: Connection): void {
    startOpenDuties(conn, this.scope, this.duties);
  }

  private handleMessage(conn: Connection, data: unknown): void {
    if (this.stateName === 'stopped') return;
    const now = this.now();
    conn.lastFrameAt = now;
    conn.failures = 0;
    this.lastFrame = now;
    this.counters.frames += 1;
    // A frame the consumer already knows it does not need (a repeat snapshot of a settled
    // conversation) is not parsed at all: JSON.parse is most of the per-frame cost.
    if (typeof data === 'string' && this.events.skipText?.(data) === true) return;
    const frame = typeof data === 'string' ? parseFrame(data) : BINARY_FRAME;
    if (conn === this.current && this.stateName === 'open') {
      if (frame.kind === 'socket-closing' || frame.kind === 'token-revoked') void this.rotate(frame.kind);
      else if (frame.kind === 'no-longer-subscribed') void this.resubscribe(conn, now);
    }
    this.safely('onFrame', () => {
      this.events.onFrame(frame, this.key);
    });
  }

  private handleClose(conn: Connection, code: number): void {
    if (conn.isRetired() || this.stateName === 'stopped') return;
    if (conn === this.next) {
      conn.failures += 1; // reconnecting-websocket retries; the provider backs off
      return;
    }
    if (conn !== this.current) return;
    if (this.stateName === 'open') {
      this.pendingGap = { reason: 'reconnect', from: conn.lastLifeAt };
      if (reconnectPlan(code) === 'new-channel') conn.channel = undefined;
      conn.failures += 1;
      this.transition('backoff', 'socket-closed', { code });
    } else if (this.stateName === 'connecting') {
      conn.failures += 1;
      this.transition('backoff', 'connect-failed', { code });
    } else if (this.stateName === 'rotating') {
      // Keep the old socket from reconnecting: the new channel is on its way.
      this.retire(conn, 'closed during rotation');
    }
  }

  private async resubscribe(conn: Connection, from: number): Promise<void> {
    const channelId = conn.channel?.id;
    if (channelId === undefined) return;
    try {
      await this.provisioner.subscribe(channelId);
    } catch (err) {
      this.log.warn('re-subscribe failed; rotating', describe(err));
      if (conn === this.current && !conn.isRetired()) void this.rotate('re-subscribe-failed');
      return;
    }
    if (!conn.isRetired() && this.stateName !== 'stopped') this.emitGap('resubscribe', from, this.now());
  }

  private emitGap(reason: GapReason, from: number, to: number): void {
    this.counters.gaps += 1;
    this.log.info('frames may have been lost', { reason, from, to });
    this.safely('onGap', () => {
      this.events.onGap({ channelKey: this.key, reason, from, to });
    });
  }

  // Socket events run inside ws's emitter, event handlers belong to consumers: an exception from
  // either must not become an uncaught exception that takes the process down.
  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('handler threw', { handler: what, ...describe(err) });
    }
  }
}
