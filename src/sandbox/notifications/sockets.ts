/**
 * The notification websocket on the sandbox's HTTP server: `/channels/{id}` upgrades (404 for
 * anything else), one socket per channel, heartbeats and the application ping/pong.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { CLOSE, HEARTBEAT_FRAME, isPing, PONG_FRAME } from './frames.js';
import { channelIdFromPath } from './policy.js';
import type { ChannelRegistry } from './registry.js';
import type { Channel, Connection, HubCounters, NotificationHubOptions } from './types.js';

/** What the socket server needs from the hub. */
export interface SocketServerDeps {
  readonly registry: ChannelRegistry;
  readonly counters: HubCounters;
  /** Whether heartbeats are stopped for this channel (per-channel or hub-wide fault). */
  readonly heartbeatsStopped: (channel: Channel) => boolean;
}

/** A close code and reason. */
export interface CloseSpec {
  readonly code: number;
  readonly reason: string;
}

/** How long `closeAll` waits for clients to answer the close handshake before cutting them off. */
const SHUTDOWN_GRACE_MS = 500;

/** Accepts, tracks and closes the notification sockets. */
export class SocketServer {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: 64 * 1024 });
  /** Every socket from handshake to `close`, including ones already closing (shutdown must reach them). */
  private readonly live = new Set<WebSocket>();
  private readonly servers = new Set<Server>();
  private closed = false;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.upgrade(req, socket, head);
  };

  constructor(
    private readonly options: Pick<NotificationHubOptions, 'heartbeatIntervalMs'>,
    private readonly deps: SocketServerDeps,
  ) {}

  /** Serves websocket upgrades of `server`. */
  attach(server: Server): void {
    if (this.servers.has(server)) return;
    this.servers.add(server);
    server.on('upgrade', this.onUpgrade);
  }

  /** Open connections (one per connected channel), optionally of one channel only. */
  connections(channelId?: string): Connection[] {
    const out: Connection[] = [];
    for (const channel of this.deps.registry.all()) {
      if (channel.connection && (channelId === undefined || channel.id === channelId)) out.push(channel.connection);
    }
    return out;
  }

  /** Sends a text frame unless the socket is silenced or not open; true when handed to the socket. */
  send(conn: Connection, frame: string | Buffer): boolean {
    if (conn.silenced || conn.ws.readyState !== WebSocket.OPEN) return false;
    conn.ws.send(frame, { binary: false });
    return true;
  }

  /** Detaches the connection from its channel, then closes it with a close frame. */
  close(conn: Connection, spec: CloseSpec): void {
    this.detach(conn);
    if (conn.ws.readyState === WebSocket.OPEN || conn.ws.readyState === WebSocket.CONNECTING) conn.ws.close(spec.code, spec.reason);
  }

  /** Detaches the connection and destroys its TCP socket without a close frame. */
  terminate(conn: Connection): void {
    this.detach(conn);
    conn.ws.terminate();
  }

  /** Refuses new upgrades, closes every socket (cutting off any that do not answer in time). */
  async closeAll(): Promise<void> {
    this.closed = true;
    for (const server of this.servers) server.off('upgrade', this.onUpgrade);
    this.servers.clear();
    for (const conn of this.connections()) this.close(conn, CLOSE.shutdown);
    const pending = [...this.live].map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) resolve();
          else ws.once('close', () => { resolve(); });
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_GRACE_MS);
    });
    await Promise.race([Promise.all(pending), grace]);
    clearTimeout(timer);
    for (const ws of this.live) ws.terminate();
    this.live.clear();
    this.wss.close();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const id = channelIdFromPath(req.url);
    const channel = this.closed || id === undefined ? undefined : this.deps.registry.get(id);
    if (!channel) {
      this.deps.counters.handshakesRefused++;
      refuse(socket, this.closed ? 503 : 404);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.adopt(channel, ws);
    });
  }

  private adopt(channel: Channel, ws: WebSocket): void {
    this.live.add(ws);
    // Client resets and protocol errors end up in `close`; an error without a listener would crash.
    ws.on('error', () => undefined);
    if (this.closed || this.deps.registry.get(channel.id) !== channel) {
      // The channel went away (or the hub stopped) during the handshake.
      ws.once('close', () => this.live.delete(ws));
      ws.close(this.closed ? CLOSE.shutdown.code : CLOSE.expired.code, this.closed ? CLOSE.shutdown.reason : CLOSE.expired.reason);
      return;
    }
    const heartbeat = setInterval(() => {
      if (this.deps.heartbeatsStopped(channel)) return;
      if (this.send(conn, HEARTBEAT_FRAME)) this.deps.counters.heartbeatsSent++;
    }, this.options.heartbeatIntervalMs).unref();
    const conn: Connection = { ws, channel, silenced: false, heartbeat };
    ws.on('close', () => {
      this.live.delete(ws);
      this.detach(conn);
    });
    ws.on('message', (data, isBinary) => {
      if (conn.silenced || !isPing(data, isBinary)) return;
      if (this.send(conn, PONG_FRAME)) this.deps.counters.pingsAnswered++;
    });
    const previous = channel.connection;
    channel.connection = conn;
    this.deps.counters.socketsOpened++;
    if (previous) {
      this.deps.counters.socketsKicked++;
      this.close(previous, CLOSE.replaced);
    }
  }

  private detach(conn: Connection): void {
    clearInterval(conn.heartbeat);
    if (conn.channel.connection === conn) conn.channel.connection = undefined;
  }
}

function refuse(socket: Duplex, status: 404 | 503): void {
  const text = status === 404 ? 'Not Found' : 'Service Unavailable';
  socket.on('error', () => undefined);
  // Destroy only once the answer is flushed, or the client sees a reset instead of the status.
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
