/**
 * One Genesys notification channel as a state machine (idle, connecting, open, rotating, backoff,
 * stopped): keeps a socket open, watches its liveness, renews or rotates the channel before it
 * expires, and reports every window in which frames may have been lost. Each state carries its own
 * data (sockets, failure count, pending gap, timers); `transition()` is the one place that changes
 * it and the one teardown path: what the old state owned and the new one does not keep goes with it.
 * The channel is the only reconnect loop: a `Connection` is one socket and never reconnects.
 */
import type { Logger } from '../log.js';
import { canTransition, type ChannelDeps, type ChannelEvents, type ChannelOptions, type ChannelState, type ChannelStats, type GapReason } from './channel-types.js';
import { Connection, wsFactory, type ChannelInfo, type SocketFactory } from './connection.js';
import { describeError as describe, StreamError } from './errors.js';
import { parseFrame, type Frame } from './frames.js';
import { ChannelProvisioner } from './provisioning.js';
import { startOpenDuties, type OpenDutiesContext } from './open-duties.js';
import { StateScope } from './scope.js';
import { backoffDelayMs, overlapVerdict, reconnectPlan } from './timing.js';

export { CHANNEL_DEFAULTS, canTransition } from './channel-types.js';
export type { ChannelApi, ChannelDeps, ChannelEvents, ChannelOptions, ChannelState, ChannelStats, GapInfo, GapReason, RejectedTopic } from './channel-types.js';
export { PING_TEXT } from './connection.js';

const BINARY_FRAME: Frame = { kind: 'malformed', reason: 'binary frame' };

/** A window that began at `from` in which frames may have been lost, reported once the socket is open. */
interface PendingGap {
  reason: GapReason;
  from: number;
}

/** Attempts at one socket: the channel to reuse (none: create one), failures since the last frame. */
interface Dial {
  channel: ChannelInfo | undefined;
  failures: number;
  /** The socket of the attempt in progress. */
  conn: Connection | undefined;
}

/** The states and what each one owns; `scope` holds its timers. */
type State =
  | { kind: 'idle' | 'stopped'; scope: StateScope }
  | { kind: 'connecting'; scope: StateScope; dial: Dial; gap: PendingGap }
  | { kind: 'backoff'; scope: StateScope; dial: Dial; gap: PendingGap }
  | { kind: 'open'; scope: StateScope; conn: Connection; failures: number }
  | Rotating;

interface Rotating {
  kind: 'rotating';
  scope: StateScope;
  old: Connection;
  next: Dial;
  /** Gives back the extra channel (make-before-break only), once the socket given up has closed. */
  release: (() => void) | undefined;
  /** Break-before-make: the old socket's close, awaited before the new channel is made. */
  breakFirst: Promise<void> | undefined;
  /** Both sockets open: the old socket's life count when the new one opened. */
  proving: { next: Connection; mark: number } | undefined;
  /** Settles when the rotation is over and the socket it gave up has closed. */
  done: Promise<void>;
  settle: () => void;
}

function connectionsOf(s: State): Connection[] {
  switch (s.kind) {
    case 'connecting':
      return s.dial.conn ? [s.dial.conn] : [];
    case 'open':
      return [s.conn];
    case 'rotating':
      return s.next.conn ? [s.old, s.next.conn] : [s.old];
    default:
      return [];
  }
}

/** One notification channel: see the module comment. */
export class NotificationChannel {
  /** The current state and everything it owns. */
  private phase: State = { kind: 'idle', scope: new StateScope() };
  private stateSince = 0;
  private lastFrame = 0;
  private serial = 0;
  private readonly provisioner: ChannelProvisioner;
  private readonly startWaiters: (() => void)[] = [];
  private readonly draining = new Set<Promise<void>>();
  /** Re-subscribes in flight, with the number of requests that came for each. */
  private readonly resubscribes = new WeakMap<Connection, { asked: number }>();
  private readonly counters = { frames: 0, pingsSent: 0, reconnects: 0, rotations: 0, gaps: 0 };
  private readonly events: ChannelEvents;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly connect: SocketFactory;
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
    // The handshake limit is a back-stop only: the connection's own connect timeout fires first.
    this.connect = deps.connect ?? wsFactory(opts.connectTimeoutMs * 2);
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
        const s = this.phase;
        if (s.kind !== 'open' || s.conn !== conn) return;
        void this.close(conn, false);
        this.enterBackoff({ channel: conn.channel, failures: s.failures + 1, conn: undefined }, { reason: 'reconnect', from: conn.lastLifeAt }, 'pong-timeout');
      },
      onExpiring: () => void this.rotate('expiry'),
      guard: (what, fn) => {
        this.safely(what, fn);
      },
    };
  }

  /** The current state. */
  get state(): ChannelState {
    return this.phase.kind;
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
    const { kind } = this.phase;
    if (kind === 'idle' || kind === 'stopped') {
      this.enterConnecting({ channel: undefined, failures: 0, conn: undefined }, { reason: 'start', from: this.now() }, 'start');
    }
    if (this.phase.kind === 'open' || this.phase.kind === 'rotating') return Promise.resolve();
    return new Promise<void>((resolve) => this.startWaiters.push(resolve));
  }

  /** Stops for good (until the next `start()`): no timer, socket or reconnect is left once this resolves. */
  async stop(): Promise<void> {
    if (this.phase.kind !== 'stopped') this.transition({ kind: 'stopped', scope: new StateScope() }, 'stop');
    await Promise.all([...this.draining]);
  }

  /** Replaces the topic list; subscribes the live channel(s) in place, without reconnecting. */
  async setTopics(topics: readonly string[]): Promise<void> {
    this.provisioner.topics = topics;
    const s = this.phase;
    const live: (ChannelInfo | undefined)[] = s.kind === 'connecting' || s.kind === 'backoff' ? [s.dial.channel] : [];
    if (s.kind === 'open') live.push(s.conn.channel);
    if (s.kind === 'rotating') live.push(s.old.closed ? undefined : s.old.channel, s.next.channel);
    await Promise.all(live.flatMap((c) => (c ? [this.provisioner.subscribe(c.id)] : [])));
  }

  /**
   * Moves to a new channel. Make-before-break when the rotation room allows one extra channel:
   * creates and subscribes a new channel, opens its socket, and closes the old one once it proved
   * alive after that (else the window since its last sign of life is reported as a gap). At the
   * channel cap, break-before-make: the old socket is closed first and the switch is a gap.
   * Resolves when the rotation is over (or was abandoned by `stop()`); a no-op unless open.
   */
  rotate(reason: string): Promise<void> {
    const s = this.phase;
    if (s.kind === 'rotating') return s.done;
    if (s.kind !== 'open') {
      this.log.debug('rotation skipped: not open', { state: s.kind, reason });
      return Promise.resolve();
    }
    const old = s.conn;
    const release = this.deps.rotationRoom ? this.deps.rotationRoom.tryReserve() : () => undefined;
    let settle = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const next: Rotating = { kind: 'rotating', scope: new StateScope(), old, next: { channel: undefined, failures: 0, conn: undefined }, release, breakFirst: undefined, proving: undefined, done, settle };
    this.transition(next, reason, { mode: release ? 'make-before-break' : 'break-before-make' });
    // Make-before-break probes at once: a healthy old socket answers, a half-open one shows itself
    // by not answering. Break-before-make: the old socket must be gone before a new channel is
    // created, or Genesys would count it as in use and might evict another live channel of ours.
    if (release) this.probe(old);
    else next.breakFirst = this.close(old, true);
    void this.dial(next, next.next);
    return done;
  }

  /** Counters and current facts, for health and metrics. */
  stats(): ChannelStats {
    const s = this.phase;
    const channel = s.kind === 'open' ? s.conn.channel : s.kind === 'rotating' ? s.old.channel : s.kind === 'connecting' || s.kind === 'backoff' ? s.dial.channel : undefined;
    const provisioner = this.provisioner;
    return { state: s.kind, channelId: channel?.id, topics: provisioner.topics.length, channelsCreated: provisioner.created, lastFrameAt: this.lastFrame, stateSince: this.stateSince, ...this.counters };
  }

  // The single place where the state changes, and the one teardown path: the old state's timers
  // go, and so do the sockets it owned that the new state does not keep. Reasons are short fixed
  // words (they may become metric labels); details go to the log line only.
  private transition(to: State, reason: string, details: Record<string, unknown> = {}): void {
    const from = this.phase;
    if (!canTransition(from.kind, to.kind)) throw new StreamError('stream.invalid-state', `channel ${this.key}: no transition ${from.kind} -> ${to.kind} (${reason})`);
    this.phase = to;
    this.stateSince = this.now();
    from.scope.dispose();
    const kept = new Set(connectionsOf(to));
    const given = connectionsOf(from).filter((c) => !kept.has(c));
    const drained = Promise.all(given.map((c) => this.close(c, true)));
    // The extra channel is held until the socket given up has closed: until then Genesys still
    // counts it as in use.
    if (from.kind === 'rotating') {
      void drained.then(() => {
        from.release?.();
        from.settle();
      });
    }
    this.log.info('channel state', { from: from.kind, to: to.kind, reason, ...details });
    if (to.kind === 'open' || to.kind === 'stopped') for (const wake of this.startWaiters.splice(0)) wake();
    this.safely('onStateChange', () => this.events.onStateChange?.(from.kind, to.kind, reason));
  }

  private enterConnecting(dial: Dial, gap: PendingGap, reason: string): void {
    const s: State = { kind: 'connecting', scope: new StateScope(), dial, gap };
    this.transition(s, reason);
    void this.dial(s, dial);
  }

  private enterBackoff(dial: Dial, gap: PendingGap, reason: string, retryAtOnce = false, details: Record<string, unknown> = {}): void {
    const s: State = { kind: 'backoff', scope: new StateScope(), dial, gap };
    this.transition(s, reason, details);
    const delayMs = retryAtOnce ? 0 : backoffDelayMs(dial.failures, this.opts.backoff, this.random);
    s.scope.timeout(() => {
      this.safely('retry', () => {
        this.enterConnecting(dial, gap, 'retry');
      });
    }, delayMs);
  }

  private enterOpen(conn: Connection, failures: number, reason: string, details: Record<string, unknown> = {}): void {
    const s: State = { kind: 'open', scope: new StateScope(), conn, failures };
    this.transition(s, reason, details);
    startOpenDuties(conn, s.scope, this.duties);
  }

  /**
   * One attempt of `dial` for the connecting state or a rotation's new channel: makes sure a
   * subscribed channel exists, then opens a socket to it (its open or close comes as an event).
   * Abandoned as soon as the state it was made for is left.
   */
  private async dial(s: State, dial: Dial): Promise<void> {
    if (s.kind === 'rotating' && s.breakFirst) await s.breakFirst;
    if (this.phase !== s) return;
    try {
      dial.channel = await this.provisioner.ensure(dial.channel, () => this.phase !== s);
    } catch (err) {
      if (this.phase !== s) return;
      this.log.warn('channel API call failed', { failures: dial.failures + 1, ...describe(err) });
      this.attemptFailed(s, dial, 'channel-api-failed');
      return;
    }
    if (this.phase !== s) return;
    this.serial += 1;
    try {
      dial.conn = new Connection(this.serial, dial.channel, { connect: this.connect, connectTimeoutMs: this.opts.connectTimeoutMs, closeTimeoutMs: this.opts.closeTimeoutMs, now: this.now }, this.handlers);
    } catch (err) {
      // An unusable connect URI: counted as a failed attempt like any other.
      this.log.warn('socket could not be created', describe(err));
      this.attemptFailed(s, dial, 'connect-failed');
    }
  }

  /** A failed attempt: the connecting state backs off; a rotation retries its new channel after the same delay. */
  private attemptFailed(s: State, dial: Dial, reason: string, details: Record<string, unknown> = {}): void {
    dial.failures += 1;
    dial.conn = undefined;
    if (s.kind === 'connecting' && this.phase === s) {
      this.enterBackoff(dial, s.gap, reason, false, details);
    } else if (s.kind === 'rotating' && this.phase === s) {
      s.scope.timeout(() => void this.dial(s, dial), backoffDelayMs(dial.failures, this.opts.backoff, this.random));
    }
  }

  private readonly handlers = {
    onOpen: (conn: Connection): void => {
      this.safely('open', () => {
        this.handleOpen(conn);
      });
    },
    onMessage: (conn: Connection, data: unknown): void => {
      this.safely('message', () => {
        this.handleMessage(conn, data);
      });
    },
    onClose: (conn: Connection, code: number): void => {
      this.safely('close', () => {
        this.handleClose(conn, code);
      });
    },
    onSocketError: (conn: Connection): void => {
      this.log.debug('socket error', { connection: conn.serial });
    },
  };

  private close(conn: Connection, graceful: boolean): Promise<void> {
    const drained = conn.close(graceful);
    this.draining.add(drained);
    void drained.then(() => this.draining.delete(drained));
    return drained;
  }

  /** Sends the application ping on `conn` (a pong, or any frame, then proves it alive). */
  private probe(conn: Connection): void {
    conn.ping(this.now());
    this.counters.pingsSent += 1;
  }

  private handleOpen(conn: Connection): void {
    const s = this.phase;
    if (s.kind === 'rotating' && s.next.conn === conn) {
      // Closed already means the old socket closed (or was closed at the cap) before this one opened.
      if (s.old.closed) {
        this.finishRotation(s, conn, s.old.lastLifeAt);
        return;
      }
      // Both sockets are open: the old one must still prove that it delivers (see overlapVerdict).
      s.proving = { next: conn, mark: s.old.lifeFrames };
      if (!s.old.pingOutstanding) this.probe(s.old);
      this.judgeOverlap(s);
      return;
    }
    if (s.kind !== 'connecting' || s.dial.conn !== conn) return;
    this.enterOpen(conn, s.dial.failures, 'connected');
    if (s.gap.reason === 'reconnect') this.counters.reconnects += 1;
    // The gap ends when the socket opened: the same instant its first sign of life is counted from,
    // so a later gap that starts at this socket's last sign of life joins this one without a hole.
    this.emitGap(s.gap.reason, s.gap.from, conn.lastLifeAt);
  }

  /** Ends an overlapping rotation now, or checks again when the old socket's time to prove itself is up. */
  private judgeOverlap(s: Rotating): void {
    const { proving, old } = s;
    if (!proving || this.phase !== s) return;
    const step = overlapVerdict({
      now: this.now(),
      lifeSinceNewOpened: old.lifeFrames > proving.mark,
      lastLifeAt: old.lastLifeAt,
      pingSentAt: old.pingSentAt,
      heartbeatTimeoutMs: this.opts.heartbeatTimeoutMs,
      pongTimeoutMs: this.opts.pongTimeoutMs,
    });
    if (step.verdict === 'wait') {
      s.scope.timeout(() => {
        this.safely('overlap', () => {
          if (s.proving === proving) this.judgeOverlap(s);
        });
      }, step.delayMs);
      return;
    }
    this.finishRotation(s, proving.next, step.verdict === 'alive' ? undefined : old.lastLifeAt);
  }

  /** The new connection takes over (the transition closes the old one); `lostFrom` set: frames since then may have been lost. */
  private finishRotation(s: Rotating, next: Connection, lostFrom: number | undefined): void {
    this.counters.rotations += 1;
    this.enterOpen(next, s.next.failures, 'rotated', { overlapped: lostFrom === undefined });
    if (lostFrom !== undefined) this.emitGap('rotation', lostFrom, this.now());
  }

  private handleMessage(conn: Connection, data: unknown): void {
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
    const s = this.phase;
    if (s.kind === 'open' && s.conn === conn && (frame.kind === 'socket-closing' || frame.kind === 'token-revoked')) void this.rotate(frame.kind);
    if (frame.kind === 'no-longer-subscribed') this.onNoLongerSubscribed(frame.channelId, now);
    this.safely('onFrame', () => {
      this.events.onFrame(frame, this.key);
    });
  }

  private markLife(conn: Connection, now: number): void {
    conn.markLife(now);
    this.lastFrame = now;
    const s = this.phase;
    if (s.kind === 'open' && s.conn === conn) s.failures = 0;
    if (s.kind === 'rotating') {
      if (s.next.conn === conn) s.next.failures = 0;
      if (s.old === conn && s.proving) this.judgeOverlap(s);
    }
  }

  /**
   * `{"result":"404"}` and the like: the channel (or the token that made it) is gone, so nothing
   * more will come on this socket. Replace the channel now rather than wait for the watchdog; the
   * frames since the socket's last sign of life are a gap.
   */
  private handleGone(conn: Connection, result: string): void {
    this.log.warn('channel reported gone', { result, channelId: conn.channel.id, connection: conn.serial });
    const s = this.phase;
    void this.close(conn, false);
    if (s.kind === 'rotating' && s.next.conn === conn) {
      // The new channel died before it took over: make another (the rotation goes on).
      if (s.proving?.next === conn) s.proving = undefined;
      s.next.channel = undefined;
      this.attemptFailed(s, s.next, 'channel-gone');
    } else if (s.kind === 'rotating' && s.old === conn) {
      if (s.proving) this.finishRotation(s, s.proving.next, conn.lastLifeAt);
    } else if (s.kind === 'open' && s.conn === conn) {
      // A socket that was healthy retries at once; one whose fresh channels keep dying backs off.
      this.enterBackoff({ channel: undefined, failures: s.failures + 1, conn: undefined }, { reason: 'channel-gone', from: conn.lastLifeAt }, 'channel-gone', s.failures === 0);
    }
  }

  private handleClose(conn: Connection, code: number): void {
    const s = this.phase;
    if (s.kind === 'connecting' && s.dial.conn === conn) {
      this.attemptFailed(s, s.dial, 'connect-failed', { code });
    } else if (s.kind === 'open' && s.conn === conn) {
      const channel = reconnectPlan(code) === 'new-channel' ? undefined : conn.channel;
      this.enterBackoff({ channel, failures: s.failures + 1, conn: undefined }, { reason: 'reconnect', from: conn.lastLifeAt }, 'socket-closed', false, { code });
    } else if (s.kind === 'rotating' && s.next.conn === conn) {
      // The old socket keeps the stream until the new one opens again and the overlap starts over.
      if (s.proving?.next === conn) s.proving = undefined;
      this.attemptFailed(s, s.next, 'socket-closed');
    } else if (s.kind === 'rotating' && s.old === conn && s.proving) {
      // The new channel is open already; else it ends the rotation with a gap when it opens.
      this.finishRotation(s, s.proving.next, conn.lastLifeAt);
    }
  }

  /** Re-subscribes only for ids of this channel's own live sockets; any other id is ignored. */
  private onNoLongerSubscribed(channelId: string, now: number): void {
    const target = connectionsOf(this.phase).find((c) => !c.closed && c.channel.id === channelId);
    if (target) void this.resubscribe(target, now);
    else this.log.debug('no_longer_subscribed for a channel that is not ours ignored');
  }

  private async resubscribe(conn: Connection, from: number): Promise<void> {
    // Repeats while one is in flight coalesce into one more PUT after it (the topics may have been
    // dropped again after the first PUT was applied).
    const running = this.resubscribes.get(conn);
    if (running) {
      running.asked += 1;
      return;
    }
    const run = { asked: 0 };
    this.resubscribes.set(conn, run);
    try {
      let served: number;
      do {
        served = run.asked;
        await this.provisioner.subscribe(conn.channel.id);
      } while (run.asked !== served && !conn.closed);
    } catch (err) {
      this.log.warn('re-subscribe failed; rotating', describe(err));
      const s = this.phase;
      if (s.kind === 'open' && s.conn === conn) void this.rotate('re-subscribe-failed');
      return;
    } finally {
      this.resubscribes.delete(conn);
    }
    if (!conn.closed && this.phase.kind !== 'stopped') this.emitGap('resubscribe', from, this.now());
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
