/** Notification topic names and their packing onto channels (pure). */
import { StreamError } from './errors.js';
import type { MediaTopic } from './frames.js';

/** A media type as named in the configuration. */
export type QueueMedia = 'call' | 'chat' | 'message' | 'email' | 'callback';

/** Limits of one OAuth client (docs/architecture.md, "Notification channels"). */
export const TOPIC_LIMITS = { perChannel: 1000, maxChannels: 20 } as const satisfies { perChannel: number; maxChannels: number };

const MEDIA_SUFFIX = {
  call: 'calls',
  chat: 'chats',
  message: 'messages',
  email: 'emails',
  callback: 'callbacks',
} as const satisfies Record<QueueMedia, MediaTopic>;

const ID_PATTERN = /^[A-Za-z0-9_-]+$/;

function checkId(what: string, id: string): void {
  // A dot or a blank would silently subscribe to some other topic, or to nothing.
  if (!ID_PATTERN.test(id)) throw new StreamError('stream.invalid-topic', `${what} id "${id}" is not a valid Genesys id`);
}

/**
 * The topics to watch one queue. `generic` is the single `v2.routing.queues.{id}.conversations`
 * topic (media filtering then happens in detection); `media-specific` is one topic per media type.
 */
export function queueTopics(queueId: string, media: readonly QueueMedia[], shape: 'generic' | 'media-specific'): string[] {
  checkId('queue', queueId);
  const base = `v2.routing.queues.${queueId}.conversations`;
  if (shape === 'generic') return [base];
  if (media.length === 0) {
    throw new StreamError('stream.invalid-topic', `queue ${queueId}: media-specific topics need at least one media type`);
  }
  return [...new Set(media.map((m) => `${base}.${MEDIA_SUFFIX[m]}`))];
}

/** The topic announcing changes of one Architect flow. */
export function flowTopic(flowId: string): string {
  checkId('flow', flowId);
  return `v2.flows.${flowId}`;
}

/** Topics that belong together (one queue, one flow) share this key and are kept on one channel. */
function groupKey(topic: string): string {
  const queue = /^v2\.routing\.queues\.([^.]+)\./.exec(topic);
  return queue?.[1] !== undefined ? `queue:${queue[1]}` : topic;
}

/** Options of {@link packTopics}. */
export interface PackOptions {
  /** Topics per channel (Genesys: 1,000; more is a 400). */
  perChannel?: number;
  /** Channels per OAuth client (Genesys: 20; a 21st evicts the oldest idle one). */
  maxChannels?: number;
}

/**
 * Spreads topics over as few channels as possible: duplicates removed, topics of one queue kept
 * together, first-fit in input order (so adding a queue at the end leaves earlier channels as they
 * were). Throws `stream.too-many-topics` when more than `maxChannels` channels would be needed.
 */
export function packTopics(topics: readonly string[], opts: PackOptions = {}): string[][] {
  const perChannel = opts.perChannel ?? TOPIC_LIMITS.perChannel;
  const maxChannels = opts.maxChannels ?? TOPIC_LIMITS.maxChannels;
  if (!Number.isInteger(perChannel) || perChannel < 1) throw new RangeError('perChannel must be a positive integer');

  const groups = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const topic of topics) {
    if (seen.has(topic)) continue;
    seen.add(topic);
    const key = groupKey(topic);
    const group = groups.get(key);
    if (group) group.push(topic);
    else groups.set(key, [topic]);
  }

  const channels: string[][] = [];
  for (const group of groups.values()) {
    // A group larger than a channel cannot stay together; split it rather than fail.
    for (let i = 0; i < group.length; i += perChannel) {
      const chunk = group.slice(i, i + perChannel);
      const target = channels.find((c) => c.length + chunk.length <= perChannel);
      if (target) target.push(...chunk);
      else channels.push(chunk);
      // Stop early: a huge topic list must not cost quadratic time just to be refused.
      if (channels.length > maxChannels) throw tooMany(seen.size, perChannel, maxChannels);
    }
  }
  return channels;
}

function tooMany(topicCount: number, perChannel: number, maxChannels: number): StreamError {
  return new StreamError(
    'stream.too-many-topics',
    `${topicCount} distinct topics need more than ${maxChannels} notification channels of at most ${perChannel} ` +
      `topics, but one OAuth client may hold only ${maxChannels}: watch fewer queues, use the generic topic ` +
      `instead of media-specific ones, or split the queues over several OAuth clients`,
  );
}
