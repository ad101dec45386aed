/**
 * A small stand-in for Genesys's notification service on 127.0.0.1: a `ws` server on port 0 that
 * serves `/channels/<id>`, one socket per channel (a second connection kicks the first), answers
 * `{"message":"ping"}` with a pong, plus a fake ChannelApi over the same channel table.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import type { ChannelApi, RejectedTopic } from '../../../src/stream/channel.js';
import type { Logger } from '../../../src/log.js';

export interface FakeChannel {
  id: string;
  topics: readonly string[];
  exists: boolean;
  expires: string | undefined;
}

export interface ServerConnection {
  channelId: string;
  ws: WebSocket;
  openedAt: number;
  closedAt: number | undefined;
  closeCode: number | undefined;
}

/** The close code this fake uses when a second connection kicks the first (Genesys does not document one). */
export const KICK_CODE = 4000;

export class FakeStreaming {
  readonly channels = new Map<string, FakeChannel>();
  readonly connections: ServerConnection[] = [];
  /** Texts received from clients, with their channel. */
  readonly received: { channelId: string; text: string }[] = [];
  /** Every upgrade attempt (accepted or not), with its time. */
  readonly attempts: { channelId: string; at: number }[] = [];
  readonly calls = { create: 0, subscribe: [] as { channelId: string; topics: readonly string[] }[], exists: 0, expires: 0 };
  answerPings = true;
  /** Upgrade attempts to refuse (socket destroyed) before accepting again. */
  refuseNext = 0;
  /** Channel ids whose upgrade is never answered (a black hole, for connect timeouts). */
  readonly blackHoles = new Set<string>();
  /** createChannel calls to fail before succeeding. */
  failCreates = 0;
  /** Topics the fake org refuses. */
  readonly deniedTopics = new Set<string>();
  /** What `expires` new channels get (ms from now); undefined: none. */
  lifetimeMs: number | undefined = 24 * 60 * 60 * 1000;
  /** How long each subscribe takes to answer. */
  subscribeDelayMs = 0;
  /** Whether a subscribe moves `expires` forward by `lifetimeMs` (undocumented by Genesys: the channel must work either way). */
  resubscribeExtends = true;
  /** Called on every accepted connection (e.g. to send frames at that moment). */
  onConnection: ((conn: ServerConnection) => void) | undefined;
  private readonly held = new Set<Duplex>();
  private serial = 0;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeStreaming> {
    const http = createServer((_req, res) => {
      res.writeHead(404).end();
    });
    const wss = new WebSocketServer({ noServer: true });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const address = http.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const fake = new FakeStreaming(http, wss, address.port);
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      fake.upgrade(req, socket, head);
    });
    return fake;
  }

  /** The fake Genesys REST API for channels. */
  readonly api: ChannelApi = {
    createChannel: () => {
      this.calls.create += 1;
      if (this.failCreates > 0) {
        this.failCreates -= 1;
        return Promise.reject(new Error('fake create failure'));
      }
      this.serial += 1;
      const id = `ch-${this.serial}`;
      const expires = this.lifetimeMs === undefined ? undefined : new Date(Date.now() + this.lifetimeMs).toISOString();
      this.channels.set(id, { id, topics: [], exists: true, expires });
      return Promise.resolve({ id, connectUri: this.uri(id), ...(expires === undefined ? {} : { expires }) });
    },
    subscribe: async (channelId, topics) => {
      this.calls.subscribe.push({ channelId, topics });
      if (this.subscribeDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.subscribeDelayMs));
      const channel = this.channels.get(channelId);
      if (!channel?.exists) return Promise.reject(new Error('fake 404'));
      channel.topics = topics.filter((t) => !this.deniedTopics.has(t));
      if (this.resubscribeExtends && this.lifetimeMs !== undefined) channel.expires = new Date(Date.now() + this.lifetimeMs).toISOString();
      const rejected: RejectedTopic[] = topics
        .filter((t) => this.deniedTopics.has(t))
        .map((topic) => ({ topic, reason: 'permission denied', missingPermissions: ['routing:queue:view'] }));
      return { rejected };
    },
    channelExists: (channelId) => {
      this.calls.exists += 1;
      return Promise.resolve(this.channels.get(channelId)?.exists ?? false);
    },
    channelExpires: (channelId) => {
      this.calls.expires += 1;
      return Promise.resolve(this.channels.get(channelId)?.expires);
    },
  };

  uri(channelId: string): string {
    return `ws://127.0.0.1:${this.port}/channels/${channelId}`;
  }

  /** Server-side sockets currently open for a channel. */
  openOn(channelId: string): ServerConnection[] {
    return this.connections.filter((c) => c.channelId === channelId && c.closedAt === undefined);
  }

  /** Sends a Genesys envelope on the channel's open socket. */
  send(channelId: string, topicName: string, eventBody: unknown = {}): void {
    const conn = this.openOn(channelId).at(-1);
    if (!conn) throw new Error(`no open socket on ${channelId}`);
    conn.ws.send(JSON.stringify({ topicName, version: '2', eventBody, metadata: { CorrelationId: `corr-${Date.now()}` } }));
  }

  /** Sends a raw text (not necessarily an envelope) on the channel's open socket. */
  sendRaw(channelId: string, text: string): void {
    const conn = this.openOn(channelId).at(-1);
    if (!conn) throw new Error(`no open socket on ${channelId}`);
    conn.ws.send(text);
  }

  /** Kills the channel's socket without a close frame (the client sees 1006). */
  drop(channelId: string): void {
    for (const c of this.openOn(channelId)) c.ws.terminate();
  }

  /** Deletes a channel (HEAD then answers false) and kills its socket. */
  deleteChannel(channelId: string): void {
    const channel = this.channels.get(channelId);
    if (channel) channel.exists = false;
    this.drop(channelId);
  }

  async stop(): Promise<void> {
    for (const socket of this.held) socket.destroy();
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => {
      this.wss.close(() => {
        resolve();
      });
    });
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => { resolve(); }));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const channelId = /^\/channels\/([^/?]+)$/.exec(req.url ?? '')?.[1] ?? '';
    this.attempts.push({ channelId, at: Date.now() });
    if (this.blackHoles.has(channelId)) {
      this.held.add(socket);
      socket.on('close', () => this.held.delete(socket));
      return;
    }
    if (this.refuseNext > 0) {
      this.refuseNext -= 1;
      socket.destroy();
      return;
    }
    if (!this.channels.get(channelId)?.exists) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      for (const old of this.openOn(channelId)) old.ws.close(KICK_CODE, 'another connection took this channel');
      const conn: ServerConnection = { channelId, ws, openedAt: Date.now(), closedAt: undefined, closeCode: undefined };
      this.connections.push(conn);
      ws.on('message', (data: Buffer) => {
        const text = data.toString();
        this.received.push({ channelId, text });
        if (this.answerPings && text === '{"message":"ping"}') {
          ws.send(JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'pong' } }));
        }
      });
      ws.on('close', (code: number) => {
        conn.closedAt = Date.now();
        conn.closeCode = code;
      });
      this.onConnection?.(conn);
    });
  }
}

/** A logger that keeps warnings and errors, so tests can assert that nothing went wrong. */
export function recordingLogger(): Logger & { errors: { message: string; fields: Record<string, unknown> | undefined }[] } {
  const errors: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  const logger: Logger & { errors: typeof errors } = {
    errors,
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (message, fields) => {
      errors.push({ message, fields });
    },
    child: () => logger,
  };
  return logger;
}
