/**
 * One socket to one Genesys channel, from dialling to closed; it never reconnects (the channel
 * dials a new one), so no second reconnect loop can run behind the channel's back. Every socket has
 * an `error` listener for life: `ws` emits `error` when a socket is closed while still opening,
 * which without a listener would take the process down.
 */
import WebSocket from 'ws';

/**
 * Largest frame a notification socket accepts. A conversation snapshot is a few KB, a few hundred
 * KB at most for a conversation with many participants and attributes; 4 MiB leaves ten times that
 * as headroom. `ws` reads the length from the frame header and closes the socket (1009) before
 * buffering anything bigger, so a huge or hostile frame costs a reconnect, never memory.
 */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** The application-level health check Genesys answers with a pong frame. */
export const PING_TEXT = '{"message":"ping"}';

/** What a connection needs of a socket: the WHATWG shape, which `ws` and `mock-socket` both offer. */
export interface WireSocket {
  readonly readyState: number;
  send(text: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: destroys the socket without a closing handshake (else `close()` is used). */
  terminate?(): void;
  addEventListener(type: 'open' | 'error', fn: () => void): void;
  addEventListener(type: 'message', fn: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', fn: (event: { code: number }) => void): void;
}

/** Opens a socket to `url` (tests pass mock-socket's WebSocket). */
export type SocketFactory = (url: string) => WireSocket;

/** Builds `ws` sockets with the frame limit and a handshake back-stop behind the connect timeout. */
export function wsFactory(handshakeTimeoutMs: number): SocketFactory {
  return (url) => new WebSocket(url, { handshakeTimeout: handshakeTimeoutMs, maxPayload: MAX_FRAME_BYTES });
}

/** The Genesys notification channel a connection uses (replaced, never changed, on renewal). */
export interface ChannelInfo {
  readonly id: string;
  readonly connectUri: string;
  /** ISO time as Genesys reported it. */
  readonly expires: string | undefined;
  /** Epoch ms when this daemon created it. */
  readonly createdAt: number;
}

/** What a connection reports; nothing is reported once it was closed on purpose. */
export interface ConnectionHandlers {
  onOpen(conn: Connection): void;
  onMessage(conn: Connection, data: unknown): void;
  /** The socket closed by itself (or never opened); `code` 1006 when there was no close frame. */
  onClose(conn: Connection, code: number): void;
  onSocketError(conn: Connection): void;
}

/** Settings and collaborators of a connection. */
export interface ConnectionDeps {
  connect: SocketFactory;
  /** From dialling to `open`; on expiry the socket is dropped (reported as a close, 1006). */
  connectTimeoutMs: number;
  /** How long a graceful close may take before the socket is destroyed. */
  closeTimeoutMs: number;
  now: () => number;
}

/** One socket bound to one Genesys channel; see the module comment. */
export class Connection {
  private info: ChannelInfo;
  private openedAt = 0;
  private lastFrameAt = 0;
  private pingAt: number | undefined;
  private frames = 0;
  private detached = false;
  private closing: Promise<void> | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private readonly ended: Promise<void>;
  private readonly socket: WireSocket;

  constructor(
    /** Numbers connections in logs. */
    readonly serial: number,
    channel: ChannelInfo,
    private readonly deps: ConnectionDeps,
    handlers: ConnectionHandlers,
  ) {
    this.info = channel;
    const socket = deps.connect(channel.connectUri);
    this.socket = socket;
    this.ended = new Promise<void>((resolve) => {
      socket.addEventListener('close', (event) => {
        clearTimeout(this.connectTimer);
        resolve();
        if (!this.detached) {
          this.detached = true;
          handlers.onClose(this, event.code);
        }
      });
    });
    socket.addEventListener('error', () => {
      if (!this.detached) handlers.onSocketError(this);
    });
    socket.addEventListener('open', () => {
      clearTimeout(this.connectTimer);
      this.openedAt = deps.now();
      if (!this.detached) handlers.onOpen(this);
    });
    socket.addEventListener('message', (event) => {
      if (!this.detached) handlers.onMessage(this, event.data);
    });
    this.connectTimer = setTimeout(() => {
      this.kill();
    }, deps.connectTimeoutMs);
  }

  /** The Genesys channel this socket is bound to. */
  get channel(): ChannelInfo {
    return this.info;
  }

  /** Whether it was closed on purpose or closed by itself: it delivers nothing more. */
  get closed(): boolean {
    return this.detached;
  }

  /** Frames that showed life (a rotation compares counts to find life after a moment). */
  get lifeFrames(): number {
    return this.frames;
  }

  /** Last sign of life: the last frame, or the open if no frame came since (0: neither). */
  get lastLifeAt(): number {
    return Math.max(this.lastFrameAt, this.openedAt);
  }

  /** When the last ping went out, if one did. */
  get pingSentAt(): number | undefined {
    return this.pingAt;
  }

  /** Whether a ping has had no frame after it yet. */
  get pingOutstanding(): boolean {
    return this.pingAt !== undefined && this.lastLifeAt < this.pingAt;
  }

  /** Records a frame that proves the socket delivers. */
  markLife(now: number): void {
    this.lastFrameAt = now;
    this.frames += 1;
  }

  /** Sends the application ping (dropped unless open: nothing is queued for a later socket). */
  ping(now: number): void {
    if (this.socket.readyState === 1) this.socket.send(PING_TEXT);
    this.pingAt = now;
  }

  /** A renewal moved the channel's `expires`. */
  renewed(expires: string): void {
    this.info = { ...this.info, expires };
  }

  /**
   * Gives the socket up on purpose (nothing is reported after this): `graceful` closes it with a
   * handshake (1000) and destroys it when the server does not finish within `closeTimeoutMs`; else
   * it is destroyed at once. Resolves once it is closed. Idempotent.
   */
  close(graceful: boolean): Promise<void> {
    this.detached = true;
    if (this.closing) return this.closing;
    clearTimeout(this.connectTimer);
    if (!graceful || this.socket.readyState !== 1) {
      this.kill();
      this.closing = this.ended;
      return this.closing;
    }
    this.socket.close(1000, 'closed by the daemon');
    // ws would otherwise keep a half-closed socket for 30 s.
    const timer = setTimeout(() => {
      this.kill();
    }, this.deps.closeTimeoutMs);
    this.closing = this.ended.then(() => {
      clearTimeout(timer);
    });
    return this.closing;
  }

  private kill(): void {
    if (this.socket.readyState === 3) return;
    if (this.socket.terminate) this.socket.terminate();
    else this.socket.close();
  }
}
