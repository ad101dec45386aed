/**
 * The one place that builds reconnecting-websocket 4.4.0 over `ws`, with its four known bugs
 * neutralised (docs/architecture.md, "Websocket library"):
 * 1. and 2. a `ws` socket closed while opening (connection timeout, `reconnect()`) emits `error` after
 *    RWS removed its listener, which would kill the process: every socket made here has its own
 *    `error` listener for life;
 * 3. a rejecting URL provider leaves an unhandled rejection and a stuck socket: the provider given
 *    here must never reject (the channel's provider retries internally), and is wrapped to be sure;
 * 4. `maxRetries` and `reconnect()` after `close()` silently do nothing: `maxRetries` is never set and
 *    a closed instance is never reused (the channel makes a new one instead).
 */
import _RWS from 'reconnecting-websocket';
import WebSocket from 'ws';

const ReconnectingWebSocket = _RWS as unknown as typeof _RWS.default;

/** The reconnecting socket type used by the channel. */
export type ReconnectingSocket = InstanceType<typeof ReconnectingWebSocket>;

/**
 * Largest frame a notification socket accepts. A conversation snapshot is a few KB, a few hundred
 * KB at most for a conversation with many participants and attributes; 4 MiB leaves ten times that
 * as headroom. `ws` reads the length from the frame header and closes the socket (1009) before
 * buffering anything bigger, so a huge or hostile frame costs a reconnect, never memory.
 */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** A constructor as reconnecting-websocket calls it: `new WebSocket(url)` (no way to pass options). */
export type SocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

/** Hooks of {@link safeSocketClass}. */
export interface SafeSocketOptions {
  /** `ws`'s own limit on the opening handshake; a back-stop behind RWS's `connectionTimeout`. */
  handshakeTimeoutMs: number;
  /** Largest frame accepted (default {@link MAX_FRAME_BYTES}); a bigger one closes the socket. */
  maxPayloadBytes?: number;
  /** Called with every socket created, so its owner can wait for it to close (or terminate it). */
  onSocket?: (ws: WebSocket) => void;
  /** Called with every socket-level error (after RWS has seen it, if it still listens). */
  onError?: (err: Error) => void;
}

/**
 * A subclass of `Base` (default: `ws`'s WebSocket) that always has an `error` listener and carries
 * `handshakeTimeout`: the `WebSocket` option given to reconnecting-websocket.
 */
export function safeSocketClass(opts: SafeSocketOptions, Base: typeof WebSocket = WebSocket): SocketConstructor {
  const { handshakeTimeoutMs, onSocket, onError } = opts;
  const maxPayload = opts.maxPayloadBytes ?? MAX_FRAME_BYTES;
  return class SafeWebSocket extends Base {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { handshakeTimeout: handshakeTimeoutMs, maxPayload });
      // Swallowing here is safe: RWS learns of failures through its own listener or through `close`.
      this.on('error', (err: Error) => {
        onError?.(err);
      });
      onSocket?.(this);
    }
  };
}

/** Options of {@link createReconnectingSocket}. */
export interface ReconnectingSocketOptions {
  /** The `ws` class to build on (tests may pass a subclass to watch sockets). */
  SocketClass: SocketConstructor;
  /** From `new WebSocket()` to `open`; on expiry the attempt is abandoned and retried. */
  connectTimeoutMs: number;
  /** Reports a provider that broke its promise and rejected anyway (it is then retried). */
  onProviderError?: (err: unknown) => void;
  /** Pause before calling a rejecting provider again (a back-stop: the channel's provider never rejects). */
  providerRetryMs?: number;
}

/**
 * A reconnecting socket whose URL comes from `provideUrl` before every connection attempt.
 * Backoff belongs to the provider (RWS's own delay is 0), which knows about jitter and about the
 * Genesys API calls it needs to make first.
 */
export function createReconnectingSocket(provideUrl: () => Promise<string>, opts: ReconnectingSocketOptions): ReconnectingSocket {
  const neverRejects = async (): Promise<string> => {
    for (;;) {
      try {
        return await provideUrl();
      } catch (err) {
        // A rejection would leave RWS stuck forever (bug 3); try again rather than give up.
        opts.onProviderError?.(err);
        await new Promise((resolve) => setTimeout(resolve, opts.providerRetryMs ?? 1_000));
      }
    }
  };
  return new ReconnectingWebSocket(neverRejects, undefined, {
    WebSocket: opts.SocketClass,
    connectionTimeout: opts.connectTimeoutMs,
    minReconnectionDelay: 0,
    maxReconnectionDelay: 0,
    reconnectionDelayGrowFactor: 1,
    // Never queue a ping for a later socket: it would be stale there.
    maxEnqueuedMessages: 0,
  });
}
