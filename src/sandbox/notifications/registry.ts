/**
 * The channel registry: channels per OAuth client (with eviction past the limit), expiry timers,
 * and the topic -> channels index that `publish` reads on every event.
 */
import { randomBytes } from 'node:crypto';
import { chooseEvictee, timerDelay } from './policy.js';
import type { Channel, HubCounters, NotificationHubOptions, RemovalReason } from './types.js';

/** What the registry needs from the hub. */
export interface RegistryDeps {
  readonly now: () => number;
  readonly counters: HubCounters;
  /** Called after a channel left the registry (close its socket here). */
  readonly onRemove: (channel: Channel, reason: RemovalReason) => void;
}

const EMPTY: ReadonlySet<Channel> = new Set();

/** A channel id in Genesys' shape: `streaming-0-` and 26 lowercase base-32 characters. */
export function newChannelId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(26);
  let suffix = '';
  for (const b of bytes) suffix += alphabet.charAt(b & 31);
  return `streaming-0-${suffix}`;
}

/** Every live channel, indexed by id, by client and by topic. */
export class ChannelRegistry {
  /** Insertion order is creation order (the eviction rule relies on it). */
  private readonly channels = new Map<string, Channel>();
  private readonly byTopic = new Map<string, Set<Channel>>();

  constructor(
    private readonly options: Pick<NotificationHubOptions, 'maxChannelsPerClient' | 'channelLifetimeMs'>,
    private readonly deps: RegistryDeps,
  ) {}

  /** Creates a channel for `clientId`, evicting one of its channels first when it is at the limit. */
  create(clientId: string, token: string): Channel {
    const own = this.ofClient(clientId);
    for (let excess = own.length - this.options.maxChannelsPerClient + 1; excess > 0; excess--) {
      const victim = chooseEvictee(this.ofClient(clientId).map((channel) => ({ channel, connected: channel.connection !== undefined })));
      if (!victim) break;
      this.deps.counters.channelsEvicted++;
      if (victim.connected) this.deps.counters.connectedChannelsEvicted++;
      this.remove(victim.channel, 'evicted');
    }
    const now = this.deps.now();
    const channel: Channel = {
      id: newChannelId(),
      clientId,
      token,
      createdAt: now,
      expiresAt: now + this.options.channelLifetimeMs,
      topics: new Set(),
      connection: undefined,
      heartbeatsStopped: false,
      expiryTimer: undefined,
    };
    this.channels.set(channel.id, channel);
    this.armExpiry(channel);
    this.deps.counters.channelsCreated++;
    return channel;
  }

  /** A live channel; one whose expiry has passed is removed on the spot and not returned. */
  get(id: string): Channel | undefined {
    const channel = this.channels.get(id);
    if (channel && channel.expiresAt <= this.deps.now()) {
      this.expire(channel);
      return undefined;
    }
    return channel;
  }

  /** A live channel of `clientId`; another client's channel is treated as absent. */
  owned(id: string, clientId: string): Channel | undefined {
    const channel = this.get(id);
    return channel?.clientId === clientId ? channel : undefined;
  }

  /** `clientId`'s channels in creation order. */
  ofClient(clientId: string): Channel[] {
    return [...this.channels.values()].filter((c) => c.clientId === clientId);
  }

  /** Every channel in creation order. */
  all(): IterableIterator<Channel> {
    return this.channels.values();
  }

  /** Channels subscribed to `topic` (the hot path of `publish`). */
  subscribers(topic: string): ReadonlySet<Channel> {
    return this.byTopic.get(topic) ?? EMPTY;
  }

  /** Replaces a channel's topics and keeps the index in step. */
  setTopics(channel: Channel, topics: Iterable<string>): void {
    for (const topic of channel.topics) this.unindex(topic, channel);
    channel.topics = new Set(topics);
    for (const topic of channel.topics) {
      let set = this.byTopic.get(topic);
      if (!set) {
        set = new Set();
        this.byTopic.set(topic, set);
      }
      set.add(channel);
    }
  }

  /** Moves a channel's expiry and re-arms its timer. */
  setExpiry(channel: Channel, expiresAt: number): void {
    channel.expiresAt = expiresAt;
    this.armExpiry(channel);
  }

  /** Expires a channel now. */
  expire(channel: Channel): void {
    if (this.channels.get(channel.id) !== channel) return;
    this.deps.counters.channelsExpired++;
    this.remove(channel, 'expired');
  }

  /** Deletes a channel, its index entries and its timer, then tells the hub. */
  remove(channel: Channel, reason: RemovalReason): void {
    if (this.channels.get(channel.id) !== channel) return;
    this.channels.delete(channel.id);
    clearTimeout(channel.expiryTimer);
    channel.expiryTimer = undefined;
    for (const topic of channel.topics) this.unindex(topic, channel);
    this.deps.onRemove(channel, reason);
  }

  /** Stops every expiry timer and forgets every channel (no callbacks). */
  clear(): void {
    for (const channel of this.channels.values()) clearTimeout(channel.expiryTimer);
    this.channels.clear();
    this.byTopic.clear();
  }

  /** Number of live channels. */
  get size(): number {
    return this.channels.size;
  }

  private unindex(topic: string, channel: Channel): void {
    const set = this.byTopic.get(topic);
    if (!set) return;
    set.delete(channel);
    if (set.size === 0) this.byTopic.delete(topic);
  }

  private armExpiry(channel: Channel): void {
    clearTimeout(channel.expiryTimer);
    const fire = (): void => {
      // Timers cap out near 24.8 days and an injected clock may lag: re-arm until really due.
      if (channel.expiresAt > this.deps.now()) {
        channel.expiryTimer = setTimeout(fire, timerDelay(channel.expiresAt, this.deps.now())).unref();
        return;
      }
      this.expire(channel);
    };
    // Unref'd (like every hub timer) so a forgotten close() cannot keep the process alive.
    channel.expiryTimer = setTimeout(fire, timerDelay(channel.expiresAt, this.deps.now())).unref();
  }
}
