/**
 * Socket and channel faults for tests and the control API: abrupt drops, missing heartbeats,
 * half-open sockets, announced maintenance closes, expiry, token revocation, lost subscriptions.
 */
import { CLOSE, noLongerSubscribedFrame, resultFrame, socketClosingFrame, tokenRevokedFrame } from './frames.js';
import type { ChannelRegistry } from './registry.js';
import type { SocketServer } from './sockets.js';
import type { Channel, HubCounters } from './types.js';

/** What the faults act on. */
export interface FaultDeps {
  readonly registry: ChannelRegistry;
  readonly sockets: SocketServer;
  readonly counters: HubCounters;
}

/** The fault switches and actions of one hub. */
export class HubFaults {
  private allHeartbeatsStopped = false;
  private readonly closingTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: FaultDeps) {}

  /** Read by the socket server before every heartbeat. */
  readonly heartbeatsStopped = (channel: Channel): boolean => this.allHeartbeatsStopped || channel.heartbeatsStopped;

  dropSockets(channelId?: string): number {
    const targets = this.deps.sockets.connections(channelId);
    for (const conn of targets) {
      this.deps.counters.socketsDropped++;
      this.deps.sockets.terminate(conn);
    }
    return targets.length;
  }

  stopHeartbeats(on: boolean, channelId?: string): boolean {
    if (channelId === undefined) {
      this.allHeartbeatsStopped = on;
      if (!on) for (const channel of this.deps.registry.all()) channel.heartbeatsStopped = false;
      return true;
    }
    const channel = this.deps.registry.get(channelId);
    if (!channel) return false;
    channel.heartbeatsStopped = on;
    return true;
  }

  silence(channelId?: string): number {
    const targets = this.deps.sockets.connections(channelId);
    for (const conn of targets) conn.silenced = true;
    return targets.length;
  }

  socketClosing(channelId: string | undefined, delayMs: number): number {
    const frame = socketClosingFrame(delayMs);
    const targets = this.deps.sockets.connections(channelId).filter((conn) => this.deps.sockets.send(conn, frame));
    if (targets.length === 0) return 0;
    const timer = setTimeout(() => {
      this.closingTimers.delete(timer);
      for (const conn of targets) this.deps.sockets.close(conn, CLOSE.maintenance);
    }, delayMs).unref();
    this.closingTimers.add(timer);
    return targets.length;
  }

  expireChannel(channelId: string): boolean {
    const channel = this.deps.registry.get(channelId);
    if (!channel) return false;
    this.deps.registry.expire(channel);
    return true;
  }

  tokenRevoked(tokens: readonly string[]): number {
    const revoked = new Set(tokens);
    const hit = [...this.deps.registry.all()].filter((channel) => revoked.has(channel.token));
    for (const channel of hit) {
      if (channel.connection) this.deps.sockets.send(channel.connection, tokenRevokedFrame(channel.id));
      this.deps.registry.remove(channel, 'token-revoked');
    }
    return hit.length;
  }

  noLongerSubscribed(channelId: string): boolean {
    const channel = this.deps.registry.get(channelId);
    if (!channel) return false;
    this.deps.registry.setTopics(channel, []);
    if (channel.connection) this.deps.sockets.send(channel.connection, noLongerSubscribedFrame(channel.id));
    return true;
  }

  channelGone(channelId: string, result: string): boolean {
    const channel = this.deps.registry.get(channelId);
    if (!channel) return false;
    const conn = channel.connection;
    this.deps.counters.channelsGone++;
    this.deps.registry.remove(channel, 'gone');
    if (conn) {
      this.deps.sockets.send(conn, resultFrame(result));
      // Nothing more comes on it (no heartbeat, no pong, no event); it stays open until the client closes it.
      conn.silenced = true;
    }
    return true;
  }

  /** Cancels pending announced closes. */
  dispose(): void {
    for (const timer of this.closingTimers) clearTimeout(timer);
    this.closingTimers.clear();
  }
}
