/**
 * Genesys's notification service played by mock-socket, for channel tests under fake timers: one
 * mock server per channel (never a real socket), a fake ChannelApi over the same channel table,
 * and a socket factory that records when each socket was dialled.
 *
 * mock-socket delivers with fixed 4 ms hops (all on fake timers): a socket opens 4 ms after it is
 * made, a client's frame reaches the server 4 ms after it was sent, and a close takes 4 ms. Frames
 * from the server arrive at once. Tests state their exact times with these hops spelled out.
 */
import { Server, WebSocket as MockWebSocket, type Client } from 'mock-socket';
import type { ChannelApi } from '../../../src/stream/channel.js';
import type { SocketFactory } from '../../../src/stream/connection.js';

/** mock-socket's delay for every hop. */
export const HOP_MS = 4;

export class MockStreaming {
  /** Every socket the channel dialled: which channel, and when. */
  readonly dials: { channelId: string; at: number }[] = [];
  /** Texts the server received, with their channel and time. */
  readonly received: { channelId: string; text: string; at: number }[] = [];
  /** Server-side ends of the sockets that were accepted. */
  readonly accepted: { channelId: string; socket: Client }[] = [];
  readonly calls = { create: 0, subscribe: 0, exists: 0, expires: 0 };
  answerPings = true;
  /** Connections to refuse (the client sees a close before open) before accepting again. */
  refuseNext = 0;
  /** Lifetime of new channels (their `expires`). */
  lifetimeMs = 24 * 60 * 60 * 1000;
  /** Whether a subscribe moves `expires` forward by `lifetimeMs`. */
  resubscribeExtends = false;
  /** Whether each accepted socket is told at once that its channel is gone (`{"result":"404"}`). */
  goneOnConnect = false;
  private readonly servers = new Map<string, Server>();
  private readonly expires = new Map<string, string>();
  private serial = 0;

  /** Opens mock sockets (the `connect` dependency of a channel). */
  readonly connect: SocketFactory = (url) => {
    this.dials.push({ channelId: url.slice(url.lastIndexOf('/') + 1), at: Date.now() });
    return new MockWebSocket(url);
  };

  readonly api: ChannelApi = {
    createChannel: () => {
      this.calls.create += 1;
      this.serial += 1;
      const id = `ch-${String(this.serial)}`;
      const expires = new Date(Date.now() + this.lifetimeMs).toISOString();
      this.expires.set(id, expires);
      this.serve(id);
      return Promise.resolve({ id, connectUri: uri(id), expires });
    },
    subscribe: (channelId) => {
      this.calls.subscribe += 1;
      if (this.resubscribeExtends) this.expires.set(channelId, new Date(Date.now() + this.lifetimeMs).toISOString());
      return Promise.resolve({ rejected: [] });
    },
    channelExists: (channelId) => {
      this.calls.exists += 1;
      return Promise.resolve(this.servers.has(channelId));
    },
    channelExpires: (channelId) => {
      this.calls.expires += 1;
      return Promise.resolve(this.expires.get(channelId));
    },
  };

  /** Sends a Genesys envelope on the channel's newest accepted socket. */
  send(channelId: string, topicName: string, eventBody: unknown = {}): void {
    const socket = this.accepted.filter((a) => a.channelId === channelId).at(-1)?.socket;
    if (!socket) throw new Error(`no socket on ${channelId}`);
    socket.send(JSON.stringify({ topicName, version: '2', eventBody }));
  }

  /** Pings the server received on a channel, with their times. */
  pings(channelId: string): number[] {
    return this.received.filter((r) => r.channelId === channelId && r.text === '{"message":"ping"}').map((r) => r.at);
  }

  stop(): void {
    for (const server of this.servers.values()) server.stop();
    this.servers.clear();
  }

  private serve(channelId: string): void {
    const server = new Server(uri(channelId), {
      mock: false,
      verifyClient: () => {
        if (this.refuseNext <= 0) return true;
        this.refuseNext -= 1;
        return false;
      },
    });
    server.on('connection', (socket) => {
      this.accepted.push({ channelId, socket });
      if (this.goneOnConnect) socket.send('{"result":"404"}');
      socket.on('message', (data) => {
        const text = typeof data === 'string' ? data : '(binary)';
        this.received.push({ channelId, text, at: Date.now() });
        if (this.answerPings && text === '{"message":"ping"}') socket.send(JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'pong' } }));
      });
    });
    this.servers.set(channelId, server);
  }
}

function uri(channelId: string): string {
  return `ws://127.0.0.1/channels/${channelId}`;
}
