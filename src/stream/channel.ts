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
import { PING_TEXT, startOpenDuties, type OpenDutiesContext } from './open-duties.js';
import { StateScope } from './scope.js';
import { backoffDelayMs, overlapVerdict, reconnectPlan } from './timing.js';

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
  /** While rotating with both sockets open: the old socket's life count when the new one opened. */
  private proving: { next: Connection; mark: number } | undefined;
  /** A break-before-make rotation: the old socket's close, awaited before the new channel is made. */
  private breakFirst: Promise<void> | undefined;
  /** Settles when the rotation in progress is over and the socket it gave up has closed. */
  private rotation: Promise<void> | undefined;
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
    for (const conn of [this.current, this.next]) if (conn) void this.retire(conn, 'stop');
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
   * Moves to a new channel. Make-before-break when the rotation room allows one extra channel:
   * creates and subscribes a new channel, opens its socket, and closes the old one once it proved
   * alive after that (else the window since its last sign of life is reported as a gap). At the
   * channel cap, break-before-make: the old socket is closed first and the switch is a gap.
   * Resolves when the rotation is over (or was abandoned by `stop()`); a no-op unless open.
   */
  rotate(reason: string): Promise<void> {
    if (this.stateName === 'rotating' && this.rotation) return this.rotation;
    const old = this.current;
    if (this.stateName !== 'open' || !old) {
      this.log.debug('rotation skipped: not open', { state: this.stateName, reason });
      return Promise.resolve();
    }
    const room = this.deps.rotationRoom;
    const release = room ? room.tryReserve() : () => undefined;
    this.transition('rotating', reason, { mode: release ? 'make-before-break' : 'break-before-make' });
    if (release) {
      // Probe at once: a healthy old socket answers, a half-open one shows itself by not answering.
      this.probe(old);
    } else {
      this.breakFirst = this.retire(old, 'rotated at the channel cap');
    }
    const next = this.newConnection();
    this.next = next;
    let drained: Promise<void> = Promise.resolve();
    this.scope.onDispose(() => {
      drained = this.retire(this.current === next ? old : next, 'rotated');
      if (this.next === next) this.next = undefined;
      this.proving = undefined;
      this.breakFirst = undefined;
      this.rotation = undefined;
      // The extra channel is held until the socket given up has closed: until then Genesys still
      // counts it as in use.
      void drained.then(() => release?.());
    });
    const rotation = this.scope.done.then(() => drained);
    this.rotation = rotation;
    return rotation;
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

  private retire(conn: Connection, reason: string): Promise<void> {
    const drained = conn.retire(reason);
    this.draining.add(drained);
    void drained.then(() => this.draining.delete(drained));
    return drained;
  }

  /** Sends the application ping on `conn` (a pong, or any frame, then proves it alive). */
  private probe(conn: Connection): void {
    conn.send(PING_TEXT);
    conn.pingSentAt = this.now();
    this.counters.pingsSent += 1;
  }

  /** The URL provider: backs off, makes sure a subscribed channel exists, never rejects. */
  private async provideUrl(conn: Connection): Promise<string> {
    for (;;) {
      if (conn.isRetired()) return RETIRED_URL;
      // The sleep belongs to the current state (backoff, or rotating for the next connection).
      // Break-before-make: the old socket must be gone before a new channel is created, or Genesys
      // would count it as in use and might evict another live channel of ours.
      if (conn === this.next && this.breakFirst) await this.breakFirst;
      if (conn.retryAtOnce) conn.retryAtOnce = false;
      else if (conn.failures > 0) await this.scope.sleep(backoffDelayMs(conn.failures, this.opts.backoff, this.random));
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
      // Retired already means the old socket closed (or was closed at the cap) before this one opened.
      if (!old || old.isRetired()) {
        this.finishRotation(conn, old?.lastLifeAt ?? now);
        return;
      }
      // Both sockets are open: the old one must still prove that it delivers (see overlapVerdict).
      this.proving = { next: conn, mark: old.lifeFrames };
      const outstanding = old.pingSentAt !== undefined && old.lastLifeAt < old.pingSentAt;
      if (!outstanding) this.probe(old);
      this.judgeOverlap(old);
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

  /** Ends an overlapping rotation now, or checks again when the old socket's time to prove itself is up. */
  private judgeOverlap(old: Connection): void {
    const proving = this.proving;
    if (!proving || this.stateName !== 'rotating' || this.current !== old) return;
    const step = overlapVerdict({
      now: this.now(),
      lifeSinceNewOpened: old.lifeFrames > proving.mark,
      lastLifeAt: old.lastLifeAt,
      pingSentAt: old.pingSentAt,
      heartbeatTimeoutMs: this.opts.heartbeatTimeoutMs,
      pongTimeoutMs: this.opts.pongTimeoutMs,
    });
    if (step.verdict === 'wait') {
      this.scope.timeout(() => {
        this.safely('overlap', () => {
          if (this.proving === proving) this.judgeOverlap(old);
        });
      }, step.delayMs);
      return;
    }
    this.finishRotation(proving.next, step.verdict === 'alive' ? undefined : old.lastLifeAt);
  }

  /** The new connection takes over; `lostFrom` set: frames since then may have been lost. */
  private finishRotation(next: Connection, lostFrom: number | undefined): void {
    this.current = next;
    this.next = undefined;
    this.counters.rotations += 1;
    this.transition('open', 'rotated', { overlapped: lostFrom === undefined }); // retires the old connection
    this.enterOpen(next);
    if (lostFrom !== undefined) this.emitGap('rotation', lostFrom, this.now());
  }

  private handleMessage(conn: Connection, data: unknown): void {
    if (this.stateName === 'stopped') return;
    const now = this.now();
    this.counters.frames += 1;
    // A frame the consumer already knows it does not need (a repeat snapshot of a settled
    // conversation) is not parsed at all: JSON.parse is most of the per-frame cost.
    if (typeof data === 'string' && this.events.skipText?.(data) === true) {
      this.markLife(conn, now);
      return;
    }
    const frame = typeof data === 'string' ? parseFrame(data) : BINARY_FRAME;
    // "Channel gone" is the one message that is not a sign of life: it says the opposite.
    if (frame.kind === 'channel-gone') this.handleGone(conn, frame.result);
    else this.markLife(conn, now);
    if (conn === this.current && this.stateName === 'open') {
      if (frame.kind === 'socket-closing' || frame.kind === 'token-revoked') void this.rotate(frame.kind);
    }
    if (frame.kind === 'no-longer-subscribed') this.onNoLongerSubscribed(frame.channelId, now);
    this.safely('onFrame', () => {
      this.events.onFrame(frame, this.key);
    });
  }

  private markLife(conn: Connection, now: number): void {
    conn.lastFrameAt = now;
    conn.lifeFrames += 1;
    conn.failures = 0;
    this.lastFrame = now;
    if (this.proving && conn === this.current) this.judgeOverlap(conn);
  }

  /**
   * `{"result":"404"}` and the like: the channel (or the token that made it) is gone, so nothing
   * more will come on this socket. Replace the channel now rather than wait for the watchdog; the
   * frames since the socket's last sign of life are a gap.
   */
  private handleGone(conn: Connection, result: string): void {
    this.log.warn('channel reported gone', { result, channelId: conn.channel?.id, connection: conn.serial });
    if (conn === this.next) {
      // The new channel died before it took over: make another (the rotation goes on).
      if (this.proving?.next === conn) this.proving = undefined;
      conn.channel = undefined;
      conn.failures += 1;
      conn.dropSocket();
      return;
    }
    if (conn !== this.current) return;
    if (this.stateName === 'rotating') {
      void this.retire(conn, 'channel gone');
      if (this.proving) this.finishRotation(this.proving.next, conn.lastLifeAt);
      return;
    }
    if (this.stateName !== 'open') return;
    this.pendingGap = { reason: 'channel-gone', from: conn.lastLifeAt };
    conn.channel = undefined;
    // A socket that was healthy retries at once; one whose fresh channels keep dying backs off.
    conn.retryAtOnce = conn.failures === 0;
    conn.failures += 1;
    this.transition('backoff', 'channel-gone');
    conn.dropSocket();
  }

  /** Re-subscribes only for ids of this channel's own live connections; any other id is ignored. */
  private onNoLongerSubscribed(channelId: string, now: number): void {
    if (this.stateName !== 'open' && this.stateName !== 'rotating') return;
    const target = [this.current, this.next].find((c) => c !== undefined && !c.isRetired() && c.channel?.id === channelId);
    if (target) void this.resubscribe(target, now);
    else this.log.debug('no_longer_subscribed for a channel that is not ours ignored');
  }

  private handleClose(conn: Connection, code: number): void {
    if (conn.isRetired() || this.stateName === 'stopped') return;
    if (conn === this.next) {
      // The old socket keeps the stream until the new one opens again and the overlap starts over.
      if (this.proving?.next === conn) this.proving = undefined;
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
      // Keep the old socket from reconnecting: the new channel is on its way (or open already).
      void this.retire(conn, 'closed during rotation');
      if (this.proving) this.finishRotation(this.proving.next, conn.lastLifeAt);
    }
  }

  private async resubscribe(conn: Connection, from: number): Promise<void> {
    const channelId = conn.channel?.id;
    if (channelId === undefined) return;
    // Repeats while one is in flight coalesce into one more PUT after it (the topics may have been
    // dropped again after the first PUT was applied).
    if (conn.resubscribing) {
      conn.resubscribeAgain = true;
      return;
    }
    conn.resubscribing = true;
    try {
      conn.resubscribeAgain = false;
      do await this.provisioner.subscribe(channelId);
      while (conn.takeResubscribeRequest() && !conn.isRetired());
    } catch (err) {
      this.log.warn('re-subscribe failed; rotating', describe(err));
      if (conn === this.current && !conn.isRetired()) void this.rotate('re-subscribe-failed');
      return;
    } finally {
      conn.resubscribing = false;
    }
    if (!conn.isRetired() && this.stateName !== 'stopped') this.emitGap('resubscribe', from, this.now());
  }

  private emitGap(reason: GapReason, from: number, to: number): void {
    this.counters.gaps += 1;
    // Epoch ms under their own names: `from`/`to` are state names in the 'channel state' line.
    this.log.info('frames may have been lost', { reason, gapFromMs: from, gapToMs: to });
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
