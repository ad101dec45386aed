/**
 * Pure decisions about topic subscriptions: which topic names the sandbox knows, which permission
 * each needs, and what a PUT/POST of a topic list does to a channel (or why it fails).
 */
import type { Models } from 'purecloud-platform-client-v2';

/** A topic family the sandbox can publish, with the permissions a client needs for it. */
export interface TopicShape {
  readonly pattern: RegExp;
  readonly permissions: readonly string[];
}

/**
 * The topics the sandbox knows. Genesys has ~1,400; these are the ones this project subscribes to.
 * Add a row here to make the sandbox accept another family.
 */
export const TOPIC_SHAPES: readonly TopicShape[] = [
  {
    pattern: /^v2\.routing\.queues\.[^.]+\.conversations(?:\.(?:calls|chats|emails|messages|callbacks))?$/,
    permissions: ['routing:queue:view'],
  },
  { pattern: /^v2\.flows\.[^.]+$/, permissions: ['architect:flow:view'] },
];

/** The verdict on one requested topic. */
export type TopicCheck =
  | { readonly kind: 'permitted' }
  | { readonly kind: 'denied'; readonly missingPermissions: readonly string[] }
  | { readonly kind: 'unknown' };

/** `rejectionReason` texts (Genesys does not document its wording). */
export const REJECTION_REASONS = {
  denied: 'The OAuth client is missing a permission this topic requires',
  unknown: 'The topic does not exist',
} as const;

/** Judges one topic: an unknown shape, denied by one of the client's prefixes, or permitted. */
export function checkTopic(topic: string, deniedPrefixes: readonly string[]): TopicCheck {
  const shape = TOPIC_SHAPES.find((s) => s.pattern.test(topic));
  if (!shape) return { kind: 'unknown' };
  if (deniedPrefixes.some((prefix) => topic.startsWith(prefix))) {
    return { kind: 'denied', missingPermissions: shape.permissions };
  }
  return { kind: 'permitted' };
}

/** The `[{"id": topic}, ...]` body of a subscribe call, or `undefined` when it is not one. */
export function parseTopicList(body: unknown): string[] | undefined {
  if (!Array.isArray(body)) return undefined;
  const topics: string[] = [];
  for (const item of body as unknown[]) {
    if (typeof item !== 'object' || item === null) return undefined;
    const id = (item as Record<string, unknown>).id;
    if (typeof id !== 'string' || id.length === 0) return undefined;
    topics.push(id);
  }
  return topics;
}

/** Everything a subscribe decision needs. */
export interface SubscribeRequest {
  /** PUT replaces the list, POST adds to it. */
  readonly mode: 'replace' | 'add';
  readonly current: Iterable<string>;
  readonly requested: readonly string[];
  readonly deniedPrefixes: readonly string[];
  readonly maxTopics: number;
  readonly ignoreErrors: boolean;
}

/** What a subscribe call does: the channel's new topic list and the answer, or a failure. */
export type SubscribeOutcome =
  | { readonly ok: true; readonly topics: readonly string[]; readonly entities: readonly Models.ChannelTopic[] }
  | { readonly ok: false; readonly status: 400 | 403; readonly code: string; readonly message: string };

/**
 * Decides a subscribe call. Without `ignoreErrors` one rejected topic fails the whole call and
 * changes nothing: 403 when a permission is missing, 400 when a topic name is unknown. With it,
 * rejected topics are listed with their reason and the rest are subscribed. Either way, a channel
 * that would end up with more than `maxTopics` topics is a 400.
 */
export function planSubscribe(req: SubscribeRequest): SubscribeOutcome {
  const rejected: Models.ChannelTopic[] = [];
  const accepted: string[] = [];
  const missing = new Set<string>();
  let unknown = 0;
  for (const topic of new Set(req.requested)) {
    const check = checkTopic(topic, req.deniedPrefixes);
    if (check.kind === 'permitted') {
      accepted.push(topic);
    } else if (check.kind === 'denied') {
      for (const p of check.missingPermissions) missing.add(p);
      rejected.push({ id: topic, state: 'Rejected', rejectionReason: REJECTION_REASONS.denied, missingPermissions: [...check.missingPermissions] });
    } else {
      unknown++;
      rejected.push({ id: topic, state: 'Rejected', rejectionReason: REJECTION_REASONS.unknown, missingPermissions: [] });
    }
  }
  if (!req.ignoreErrors && missing.size > 0) {
    return {
      ok: false,
      status: 403,
      code: 'missing.permissions',
      message: `Unable to subscribe: missing permission(s) ${[...missing].join(', ')}`,
    };
  }
  if (!req.ignoreErrors && unknown > 0) {
    return { ok: false, status: 400, code: 'bad.request', message: `Unable to subscribe: ${unknown} unknown topic name(s)` };
  }
  const topics = new Set(req.mode === 'add' ? req.current : []);
  for (const topic of accepted) topics.add(topic);
  if (topics.size > req.maxTopics) {
    return {
      ok: false,
      status: 400,
      code: 'bad.request',
      message: `A channel may hold at most ${req.maxTopics} topics; this request would leave ${topics.size}`,
    };
  }
  const list = [...topics];
  const entities: Models.ChannelTopic[] = list.map((id) => ({ id, state: 'Permitted' }));
  return { ok: true, topics: list, entities: entities.concat(rejected) };
}
