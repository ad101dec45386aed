/** The REST side of a notification channel: make sure a subscribed channel exists, keep its topics. */
import type { Logger } from '../log.js';
import type { ChannelApi, RejectedTopic } from './channel-types.js';
import type { ChannelInfo } from './connection.js';

/** Collaborators of a {@link ChannelProvisioner}. */
export interface ProvisionerDeps {
  api: ChannelApi;
  log: Logger;
  now: () => number;
  onRejected: (rejected: RejectedTopic[]) => void;
}

/** Creates, checks and subscribes Genesys channels for one notification channel's connections. */
export class ChannelProvisioner {
  private chain: Promise<unknown> = Promise.resolve();
  private topicList: readonly string[];
  private createdCount = 0;

  constructor(
    topics: readonly string[],
    private readonly deps: ProvisionerDeps,
  ) {
    this.topicList = [...topics];
  }

  /** Channels created so far. */
  get created(): number {
    return this.createdCount;
  }

  /** The topic list every (re-)subscribe sends. */
  get topics(): readonly string[] {
    return this.topicList;
  }

  set topics(topics: readonly string[]) {
    this.topicList = [...topics];
  }

  /**
   * The channel to open: `known` if it still exists (HEAD), else a new channel created and
   * subscribed. API failures propagate; the caller backs off and calls again.
   */
  async ensure(known: ChannelInfo | undefined, cancelled: () => boolean): Promise<ChannelInfo> {
    const { api, log } = this.deps;
    if (known) {
      if (await api.channelExists(known.id)) return known;
      log.info('channel gone, creating a new one', { channelId: known.id });
    }
    const created = await api.createChannel();
    this.createdCount += 1;
    // Topics may change while the subscribe is in flight: repeat until the channel has the latest list.
    // Only a channel whose subscribe succeeded is returned, so none is reused as if subscribed.
    let used: readonly string[];
    do used = await this.subscribe(created.id);
    while (used !== this.topicList && !cancelled());
    log.info('channel created', { channelId: created.id, topics: used.length });
    return { id: created.id, connectUri: created.connectUri, expires: created.expires, createdAt: this.deps.now() };
  }

  /** Replaces the channel's topics with the current list; serialised so an older list never wins. */
  subscribe(channelId: string): Promise<readonly string[]> {
    const run = this.chain.then(async () => {
      const topics = this.topicList;
      const { rejected } = await this.deps.api.subscribe(channelId, topics);
      if (rejected.length > 0) {
        this.deps.log.warn('topics rejected', { channelId, rejected: rejected.map((r) => r.topic) });
        this.deps.onRejected(rejected);
      }
      return topics;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
