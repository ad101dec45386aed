/**
 * One reconnecting socket and the Genesys channel it is bound to. A channel state machine holds one
 * (two while rotating). A retired connection is never revived: the channel builds a new one, which
 * keeps reconnecting-websocket's "closed instance stays dead" behaviour (bug 4) out of reach.
 */
import type WebSocket from 'ws';
import { createReconnectingSocket, safeSocketClass, type ReconnectingSocket } from './socket.js';

/** The Genesys notification channel a connection uses. */
export interface ChannelInfo {
  readonly id: string;
  readonly connectUri: string;
  /** ISO time as Genesys reported it (moved by a successful renewal). */
  expires: string | undefined;
  /** Epoch ms when this daemon created it. */
  readonly createdAt: number;
}

/** What a connection reports to its channel. */
export interface ConnectionHandlers {
  provideUrl(conn: Connection): Promise<string>;
  onOpen(conn: Connection): void;
  onMessage(conn: Connection, data: unknown): void;
  onClose(conn: Connection, code: number, reason: string): void;
  onSocketError(conn: Connection, err: Error): void;
}

/** Socket settings of a connection. */
export interface ConnectionOptions {
  connectTimeoutMs: number;
  closeTimeoutMs: number;
  WebSocketImpl: typeof WebSocket | undefined;
}

/** One reconnecting socket bound to (at most) one Genesys channel at a time. */
export class Connection {
  /** The channel in use; `undefined` means the next attempt creates a new one. */
  channel: ChannelInfo | undefined;
  /** Consecutive failed attempts since the last frame; drives the backoff. */
  failures = 0;
  /** Epoch ms of the last frame, and of the last open, on this connection (0: never). */
  lastFrameAt = 0;
  openedAt = 0;
  /** When the last ping went out on the current socket, if one did. */
  pingSentAt: number | undefined;
  /** Frames that showed life on this connection (a rotation compares counts to find life after a moment). */
  lifeFrames = 0;
  /** The next attempt skips the backoff once (a channel reported gone by a socket that was healthy). */
  retryAtOnce = false;
  /** A re-subscribe is in flight; `resubscribeAgain` asks it to run once more when it ends. */
  resubscribing = false;
  resubscribeAgain = false;
  private retiredFlag = false;
  private drained: Promise<void> | undefined;
  private readonly sockets = new Set<WebSocket>();
  private readonly rws: ReconnectingSocket;

  constructor(
    readonly serial: number,
    private readonly opts: ConnectionOptions,
    handlers: ConnectionHandlers,
  ) {
    const SocketClass = safeSocketClass(
      {
        // Back-stop only: RWS's connectionTimeout should fire first and count as a failed attempt.
        handshakeTimeoutMs: opts.connectTimeoutMs * 2,
        onSocket: (ws) => {
          this.sockets.add(ws);
          ws.once('close', () => {
            this.sockets.delete(ws);
          });
        },
        onError: (err) => {
          handlers.onSocketError(this, err);
        },
      },
      opts.WebSocketImpl,
    );
    this.rws = createReconnectingSocket(() => handlers.provideUrl(this), { SocketClass, connectTimeoutMs: opts.connectTimeoutMs });
    this.rws.addEventListener('open', () => {
      handlers.onOpen(this);
    });
    this.rws.addEventListener('message', (event: { data: unknown }) => {
      handlers.onMessage(this, event.data);
    });
    this.rws.addEventListener('close', (event: { code: number; reason: string }) => {
      handlers.onClose(this, event.code, event.reason);
    });
  }

  /** Whether another re-subscribe was asked for while one ran; clears the request. */
  takeResubscribeRequest(): boolean {
    const asked = this.resubscribeAgain;
    this.resubscribeAgain = false;
    return asked;
  }

  /** Whether this connection was given up; it then never connects again. (A method: awaits may change it.) */
  isRetired(): boolean {
    return this.retiredFlag;
  }

  /** Last sign of life: the last frame, or the last open if no frame came since. */
  get lastLifeAt(): number {
    return Math.max(this.lastFrameAt, this.openedAt);
  }

  /** Sends a text frame if a socket is open (dropped otherwise: nothing is queued). */
  send(text: string): void {
    this.rws.send(text);
  }

  /** Kills the open socket without a closing handshake; RWS then reconnects (via the URL provider). */
  dropSocket(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  /**
   * Gives the connection up: no further reconnects, the socket closes gracefully, and is terminated
   * when the server does not finish the closing handshake within `closeTimeoutMs`. Idempotent.
   */
  retire(reason: string): Promise<void> {
    if (!this.retiredFlag) {
      this.retiredFlag = true;
      this.rws.close(1000, reason);
    }
    this.drained ??= this.drain();
    return this.drained;
  }

  private drain(): Promise<void> {
    const open = [...this.sockets];
    if (open.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let left = open.length;
      // ws would otherwise keep a half-closed socket for 30 s.
      const timer = setTimeout(() => {
        for (const ws of open) ws.terminate();
      }, this.opts.closeTimeoutMs);
      for (const ws of open) {
        ws.once('close', () => {
          left -= 1;
          if (left === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
      }
    });
  }
}
