/**
 * The sandbox's notification service: channel REST endpoints, the `/channels/{id}` websocket,
 * event publishing through a topic index, fault controls and a benchmark firehose. It speaks
 * docs/architecture.md, "Notification channels"; choices where Genesys documents nothing are listed in `NotificationHub`.
 */
import type { Server } from 'node:http';
import { EnricherError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import type { TokenStore } from '../http/auth.js';
import type { Router } from '../http/router.js';
import { HubFaults } from './faults.js';
import { pumpFrames, type PumpResult } from './firehose.js';
import { CLOSE, eventFrame } from './frames.js';
import { ChannelRegistry } from './registry.js';
import { addNotificationRoutes } from './routes.js';
import { SocketServer } from './sockets.js';
import { zeroCounters, type Channel, type HubCounters, type NotificationHubOptions, type RemovalReason } from './types.js';

export type { HubCounters, NotificationHubOptions } from './types.js';
export { CLOSE } from './frames.js';

/** What the hub is built from. */
export interface NotificationHubDeps {
  /** Looks up a client's `deniedTopicPrefixes`. */
  readonly auth: Pick<TokenStore, 'client'>;
  /** `ws://127.0.0.1:PORT`, read whenever a channel is created (the port is known only after listen). */
  readonly wsBaseUrl: () => string;
  /** Clock for `expires` (timers are real); defaults to `Date.now`. */
  readonly now?: () => number;
  readonly logger?: Logger;
}

/** One channel as the control API and tests see it. */
export interface ChannelInfo {
  readonly id: string;
  readonly clientId: string;
  readonly topics: number;
  readonly connected: boolean;
  readonly silenced: boolean;
  readonly heartbeatsStopped: boolean;
  /** ISO times. */
  readonly expires: string;
  readonly created: string;
}

/** Options of `firehose`. */
export interface FirehoseOptions {
  readonly count: number;
  /** Target channel; every open, unsilenced socket when omitted (each gets `count` frames). */
  readonly channelId?: string;
}

/** Raised by hub methods called on something that is not there. */
export class NotificationHubError extends EnricherError {}

/**
 * The notification hub. Behaviour Genesys leaves undocumented, as chosen here:
 * - close codes: 1000 when a channel ends (expired, evicted, token revoked) or a second socket
 *   replaces the first; 1001 for the close announced by `socket_closing` and for `close()`;
 * - an expired channel is deleted at once (HEAD 404, socket closed 1000 "Channel expired");
 * - a revoked token's channels get `v2.system.token_revoked.{channelId}`, then are deleted;
 * - `noLongerSubscribed` clears the channel's topics, then sends `v2.system.no_longer_subscribed.{channelId}`;
 * - `channelGone` deletes the channel and sends `{"result":"404"}` on its socket, which stays open;
 * - past `maxChannelsPerClient`, creating a channel evicts the client's oldest channel without a
 *   socket, else its oldest (socket closed 1000), as Genesys does;
 * - system frames use the full envelope (version, metadata); heartbeat and pong are the bare shape.
 */
export class NotificationHub {
  /** Running totals; read-only outside the hub. */
  readonly counters: Readonly<HubCounters>;
  private readonly mutableCounters: HubCounters = zeroCounters();
  private readonly registry: ChannelRegistry;
  private readonly sockets: SocketServer;
  private readonly faults: HubFaults;
  private readonly now: () => number;
  private readonly logger: Logger;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: NotificationHubOptions,
    private readonly deps: NotificationHubDeps,
  ) {
    this.counters = this.mutableCounters;
    this.now = deps.now ?? Date.now;
    this.logger = (deps.logger ?? silentLogger).child({ component: 'sandbox.notifications' });
    this.registry = new ChannelRegistry(options, {
      now: this.now,
      counters: this.mutableCounters,
      onRemove: (channel, reason) => {
        this.onRemove(channel, reason);
      },
    });
    this.sockets = new SocketServer(options, {
      registry: this.registry,
      counters: this.mutableCounters,
      heartbeatsStopped: (channel) => this.faults.heartbeatsStopped(channel),
    });
    this.faults = new HubFaults({ registry: this.registry, sockets: this.sockets, counters: this.mutableCounters });
  }

  /** Adds the `/api/v2/notifications/...` endpoints to the API router. */
  addRoutes(router: Router): void {
    addNotificationRoutes(router, {
      options: this.options,
      registry: this.registry,
      auth: this.deps.auth,
      connectUri: (id) => `${this.deps.wsBaseUrl()}/channels/${id}`,
      now: this.now,
    });
  }

  /** Serves `/channels/{id}` websocket upgrades on `server` (every other upgrade path is a 404). */
  attach(server: Server): void {
    this.sockets.attach(server);
  }

  /**
   * Sends one event to every open socket whose channel subscribes `topicName`, serialised once.
   * Channels without a socket miss it (no replay). Returns the number of sockets it went to.
   */
  publish(topicName: string, eventBody: unknown): number {
    this.mutableCounters.eventsPublished++;
    let frame: Buffer | undefined;
    let delivered = 0;
    for (const channel of this.registry.subscribers(topicName)) {
      const conn = channel.connection;
      if (!conn || conn.silenced) continue;
      frame ??= Buffer.from(eventFrame(topicName, eventBody));
      if (this.sockets.send(conn, frame)) delivered++;
    }
    this.mutableCounters.framesPublished += delivered;
    return delivered;
  }

  /**
   * Pushes pre-serialised frames round-robin as fast as the socket drains, never buffering more
   * than about 1 MiB per socket. Rejects when the target channel has no open socket.
   */
  async firehose(frames: readonly string[], opts: FirehoseOptions): Promise<PumpResult> {
    if (frames.length === 0) throw new NotificationHubError('sandbox.firehose.no_frames', 'firehose needs at least one frame');
    const targets = this.sockets.connections(opts.channelId).filter((c) => !c.silenced);
    if (targets.length === 0) {
      throw new NotificationHubError('sandbox.firehose.no_socket', opts.channelId === undefined ? 'no socket is connected' : 'the channel has no open socket');
    }
    const buffers = frames.map((f) => Buffer.from(f));
    const started = performance.now();
    const results = await Promise.all(targets.map((conn) => pumpFrames(conn.ws, buffers, opts.count)));
    const sent = results.reduce((sum, r) => sum + r.sent, 0);
    this.mutableCounters.firehoseFrames += sent;
    return { sent, ms: performance.now() - started };
  }

  /** Terminates sockets abruptly (no close frame), all or one channel's; returns how many. */
  dropSockets(channelId?: string): number {
    return this.faults.dropSockets(channelId);
  }

  /**
   * Stops (`on` true) or restarts heartbeats: for one channel (its later sockets too), or hub-wide
   * for every current and future socket. Turning the hub-wide switch off also clears per-channel
   * stops. Returns false for an unknown channel.
   */
  stopHeartbeats(on: boolean, channelId?: string): boolean {
    return this.faults.stopHeartbeats(on, channelId);
  }

  /**
   * Half-open fault on the current socket(s), all or one channel's: no heartbeats, pongs or events,
   * the socket stays open. A new socket on the channel is healthy again. Returns how many.
   */
  silence(channelId?: string): number {
    return this.faults.silence(channelId);
  }

  /** Sends `v2.system.socket_closing` now and closes those sockets (1001) `delayMs` later; returns how many. */
  socketClosing(channelId?: string, delayMs: number = this.options.socketClosingDelayMs): number {
    return this.faults.socketClosing(channelId, delayMs);
  }

  /** Expires a channel now; false when it does not exist. */
  expireChannel(channelId: string): boolean {
    return this.faults.expireChannel(channelId);
  }

  /**
   * The tokens were revoked (for instance by `TokenStore.revoke`): every channel one of them created
   * gets `v2.system.token_revoked.{channelId}`, then is deleted and its socket closed. Returns how many.
   */
  tokenRevoked(tokens: readonly string[]): number {
    return this.faults.tokenRevoked(tokens);
  }

  /** Clears a channel's topics and sends it `v2.system.no_longer_subscribed.{channelId}`; false when unknown. */
  noLongerSubscribed(channelId: string): boolean {
    return this.faults.noLongerSubscribed(channelId);
  }

  /**
   * The channel is gone (deleted, HEAD 404) and its socket gets the bare `{"result": result}` message
   * Genesys sends then (default `"404"`), after which the socket stays open and silent: only a
   * client that understands the message replaces the channel before its watchdog fires. False when
   * the channel is unknown.
   */
  channelGone(channelId: string, result = '404'): boolean {
    return this.faults.channelGone(channelId, result);
  }

  /** Every live channel, in creation order. */
  channels(): ChannelInfo[] {
    return [...this.registry.all()].map((c) => ({
      id: c.id,
      clientId: c.clientId,
      topics: c.topics.size,
      connected: c.connection !== undefined,
      silenced: c.connection?.silenced ?? false,
      heartbeatsStopped: this.faults.heartbeatsStopped(c),
      expires: new Date(c.expiresAt).toISOString(),
      created: new Date(c.createdAt).toISOString(),
    }));
  }

  /** Number of open sockets (one per connected channel). */
  connections(): number {
    return this.sockets.connections().length;
  }

  /** Closes every socket and timer and forgets every channel; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.faults.dispose();
      await this.sockets.closeAll();
      this.registry.clear();
    })();
    return this.closing;
  }

  private onRemove(channel: Channel, reason: RemovalReason): void {
    this.logger.debug('channel removed', { channelId: channel.id, clientId: channel.clientId, reason });
    const conn = channel.connection;
    // A gone channel's socket is left open on purpose (see channelGone).
    if (!conn || reason === 'gone') return;
    const spec = reason === 'expired' ? CLOSE.expired : reason === 'evicted' ? CLOSE.evicted : CLOSE.tokenRevoked;
    this.sockets.close(conn, spec);
  }
}
