/**
 * The daemon's notification channels as one set: packs the topics into channels (at most 1,000
 * each), starts them, and on a config reload changes topics in place (a re-subscribe, never a
 * reconnect storm), adding or stopping channels only when the number of packs changes.
 *
 * One OAuth client may hold 20 channels, and a 21st makes Genesys evict one (an idle one first, else
 * the oldest, which would be ours and in use). The set never plans more channels than the cap, and its
 * channels share one {@link ChannelBudget}: a rotation overlaps old and new channel only while that
 * stays within the cap, and otherwise closes the old socket before it creates the new channel, with
 * a catch-up for the switch. Rotations of the whole set run one channel at a time.
 */
import type { Logger } from '../log.js';
import { ChannelBudget } from '../stream/channel-budget.js';
import { NotificationChannel, type ChannelApi, type ChannelEvents, type ChannelOptions, type ChannelStats } from '../stream/channel.js';
import { packTopics, TOPIC_LIMITS } from '../stream/topics.js';

/** Genesys limits the set plans with (smaller values let tests reach the cap with few topics). */
export interface ChannelLimits {
  /** Channels the OAuth client may hold at once (Genesys: 20). */
  readonly maxChannels: number;
  /** Topics per channel (Genesys: 1,000). */
  readonly topicsPerChannel: number;
}

export class ChannelSet {
  private channels: NotificationChannel[] = [];
  private serial = 0;
  private readonly limits: ChannelLimits;
  private readonly budget: ChannelBudget;

  constructor(
    private options: Omit<ChannelOptions, 'topics'>,
    private readonly deps: { api: ChannelApi; logger: Logger; events: ChannelEvents },
    limits: Partial<ChannelLimits> = {},
  ) {
    this.limits = { maxChannels: TOPIC_LIMITS.maxChannels, topicsPerChannel: TOPIC_LIMITS.perChannel, ...limits };
    this.budget = new ChannelBudget(this.limits.maxChannels, () => this.channels.length);
  }

  /** Creates and starts a channel per pack; resolves once every one is open. */
  async start(topics: readonly string[]): Promise<void> {
    this.channels = this.pack(topics).map((pack) => this.create(pack));
    await Promise.all(this.channels.map((c) => c.start()));
  }

  /** Moves to a new topic list with as little disruption as possible. */
  async update(topics: readonly string[], options: Omit<ChannelOptions, 'topics'> = this.options): Promise<void> {
    this.options = options;
    const packs = this.pack(topics);
    const keep = this.channels.slice(0, packs.length);
    const extra = this.channels.slice(packs.length);
    await Promise.all(keep.map((c, i) => c.setTopics(packs[i] ?? [])));
    const added = packs.slice(keep.length).map((pack) => this.create(pack));
    this.channels = [...keep, ...added];
    await Promise.all([...added.map((c) => c.start()), ...extra.map((c) => c.stop())]);
  }

  /**
   * Rotates every channel (e.g. after a token renewal), one after the other, so that each can
   * overlap its old and new channel when the cap leaves room for one more.
   */
  async rotateAll(reason: string): Promise<void> {
    for (const channel of [...this.channels]) await channel.rotate(reason);
  }

  stats(): ChannelStats[] {
    return this.channels.map((c) => c.stats());
  }

  get size(): number {
    return this.channels.length;
  }

  async stop(): Promise<void> {
    await Promise.all(this.channels.map((c) => c.stop()));
  }

  private pack(topics: readonly string[]): string[][] {
    return packTopics(topics, { perChannel: this.limits.topicsPerChannel, maxChannels: this.limits.maxChannels });
  }

  private create(topics: readonly string[]): NotificationChannel {
    return new NotificationChannel(`channel-${String(this.serial++)}`, { ...this.options, topics }, { ...this.deps, rotationRoom: this.budget });
  }
}
