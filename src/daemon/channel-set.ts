/**
 * The daemon's notification channels as one set: packs the topics into channels (at most 1,000
 * each), starts them, and on a config reload changes topics in place (a re-subscribe, never a
 * reconnect storm), adding or stopping channels only when the number of packs changes.
 */
import type { Logger } from '../log.js';
import { NotificationChannel, type ChannelApi, type ChannelEvents, type ChannelOptions, type ChannelStats } from '../stream/channel.js';
import { packTopics } from '../stream/topics.js';

export class ChannelSet {
  private channels: NotificationChannel[] = [];
  private serial = 0;

  constructor(
    private options: Omit<ChannelOptions, 'topics'>,
    private readonly deps: { api: ChannelApi; logger: Logger; events: ChannelEvents },
  ) {}

  /** Creates and starts a channel per pack; resolves once every one is open. */
  async start(topics: readonly string[]): Promise<void> {
    this.channels = packTopics(topics).map((pack) => this.create(pack));
    await Promise.all(this.channels.map((c) => c.start()));
  }

  /** Moves to a new topic list with as little disruption as possible. */
  async update(topics: readonly string[], options: Omit<ChannelOptions, 'topics'> = this.options): Promise<void> {
    this.options = options;
    const packs = packTopics(topics);
    const keep = this.channels.slice(0, packs.length);
    const extra = this.channels.slice(packs.length);
    await Promise.all(keep.map((c, i) => c.setTopics(packs[i] ?? [])));
    const added = packs.slice(keep.length).map((pack) => this.create(pack));
    this.channels = [...keep, ...added];
    await Promise.all([...added.map((c) => c.start()), ...extra.map((c) => c.stop())]);
  }

  /** Make-before-break rotation of every channel (e.g. after a token renewal). */
  async rotateAll(reason: string): Promise<void> {
    await Promise.all(this.channels.map((c) => c.rotate(reason)));
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

  private create(topics: readonly string[]): NotificationChannel {
    return new NotificationChannel(`channel-${this.serial++}`, { ...this.options, topics }, this.deps);
  }
}
