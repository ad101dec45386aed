/**
 * Parsing of notification websocket text frames into a typed union. This runs once per frame on
 * the hot path: one `JSON.parse`, prefix checks instead of regular expressions, no re-serialisation.
 */

/** Media-specific suffix of a queue conversation topic. */
export type MediaTopic = 'calls' | 'chats' | 'messages' | 'emails' | 'callbacks';

/** One websocket frame, classified by what the channel or the router has to do with it. */
export type Frame =
  | { kind: 'heartbeat' }
  | { kind: 'pong' }
  /** `v2.system.socket_closing`: a maintenance close is coming (about a minute ahead, not guaranteed). */
  | { kind: 'socket-closing' }
  | { kind: 'no-longer-subscribed'; channelId: string }
  | { kind: 'token-revoked' }
  /**
   * A socket message that is not an envelope but `{"result": "404"}` (or another result): Genesys
   * says so when the channel or its token is gone. The channel is dead; `result` is the code only.
   */
  | { kind: 'channel-gone'; result: string }
  /** `v2.routing.queues.{id}.conversations[.calls|.chats|.messages|.emails|.callbacks]` */
  | { kind: 'conversation'; queueId: string; media: MediaTopic | undefined; body: unknown; correlationId: string | undefined }
  /** `v2.flows.{id}` */
  | { kind: 'flow'; flowId: string; body: unknown; correlationId: string | undefined }
  | { kind: 'unknown'; topicName: string }
  | { kind: 'malformed'; reason: string };

const HEARTBEAT: Frame = { kind: 'heartbeat' };
const PONG: Frame = { kind: 'pong' };
const SOCKET_CLOSING: Frame = { kind: 'socket-closing' };
const TOKEN_REVOKED: Frame = { kind: 'token-revoked' };

const QUEUE_PREFIX = 'v2.routing.queues.';
const CONVERSATIONS = '.conversations';
const FLOW_PREFIX = 'v2.flows.';
const NO_LONGER_SUBSCRIBED_PREFIX = 'v2.system.no_longer_subscribed.';
const TOKEN_REVOKED_PREFIX = 'v2.system.token_revoked.';
const MEDIA_TOPICS: ReadonlySet<string> = new Set<MediaTopic>(['calls', 'chats', 'messages', 'emails', 'callbacks']);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An id segment of a topic: non-empty and without dots (a dot would shift every later segment). */
function isIdSegment(s: string): boolean {
  return s.length > 0 && !s.includes('.');
}

function malformed(reason: string): Frame {
  return { kind: 'malformed', reason };
}

function correlationIdOf(envelope: Json): string | undefined {
  const metadata = envelope.metadata;
  if (!isObject(metadata)) return undefined;
  const id = metadata.CorrelationId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * The conversation id of a queue conversation frame, read from the raw text without parsing it;
 * undefined when the frame is not laid out the usual compact way (the caller then parses it).
 */
export function conversationIdOfText(text: string): string | undefined {
  if (!text.startsWith('{"topicName":"v2.routing.queues.')) return undefined;
  const marker = '"eventBody":{"id":"';
  const at = text.indexOf(marker);
  if (at < 0) return undefined;
  const start = at + marker.length;
  const end = text.indexOf('"', start);
  return end > start && end - start <= 64 ? text.slice(start, end) : undefined;
}

/**
 * Parses one websocket text frame. Never throws: anything that is not a well-formed envelope comes
 * back as `malformed` (with a reason that never quotes the payload, which may hold customer data),
 * and well-formed frames on topics this daemon does not handle come back as `unknown`.
 */
export function parseFrame(text: string): Frame {
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    return malformed('not JSON');
  }
  if (!isObject(envelope)) return malformed('not a JSON object');
  const topicName = envelope.topicName;
  if (topicName === undefined && 'result' in envelope) return channelGone(envelope.result);
  if (typeof topicName !== 'string') return malformed('topicName missing or not a string');
  if (topicName.length === 0) return malformed('topicName empty');
  const body = envelope.eventBody;

  if (topicName.startsWith(QUEUE_PREFIX)) return parseQueueTopic(topicName, envelope, body);
  if (topicName.startsWith(FLOW_PREFIX)) {
    const flowId = topicName.slice(FLOW_PREFIX.length);
    if (!isIdSegment(flowId)) return { kind: 'unknown', topicName };
    if (!isObject(body)) return malformed('flow event without an eventBody object');
    return { kind: 'flow', flowId, body, correlationId: correlationIdOf(envelope) };
  }
  if (topicName === 'channel.metadata') {
    const message = isObject(body) ? body.message : undefined;
    if (message === 'WebSocket Heartbeat') return HEARTBEAT;
    if (message === 'pong') return PONG;
    return { kind: 'unknown', topicName };
  }
  if (topicName === 'v2.system.socket_closing') return SOCKET_CLOSING;
  if (topicName.startsWith(NO_LONGER_SUBSCRIBED_PREFIX)) {
    const channelId = topicName.slice(NO_LONGER_SUBSCRIBED_PREFIX.length);
    return isIdSegment(channelId) ? { kind: 'no-longer-subscribed', channelId } : { kind: 'unknown', topicName };
  }
  if (topicName.startsWith(TOKEN_REVOKED_PREFIX)) return TOKEN_REVOKED;
  return { kind: 'unknown', topicName };
}

const RESULT_CODE = /^[A-Za-z0-9_-]{1,32}$/;

function channelGone(result: unknown): Frame {
  // Only a short code goes on: the value ends up in log lines and metric labels.
  const text = typeof result === 'number' ? String(result) : result;
  return { kind: 'channel-gone', result: typeof text === 'string' && RESULT_CODE.test(text) ? text : 'other' };
}

function parseQueueTopic(topicName: string, envelope: Json, body: unknown): Frame {
  const dot = topicName.indexOf('.', QUEUE_PREFIX.length);
  if (dot < 0) return { kind: 'unknown', topicName };
  const queueId = topicName.slice(QUEUE_PREFIX.length, dot);
  if (queueId.length === 0 || !topicName.startsWith(CONVERSATIONS, dot)) return { kind: 'unknown', topicName };
  const rest = topicName.slice(dot + CONVERSATIONS.length);
  let media: MediaTopic | undefined;
  if (rest.length > 0) {
    const suffix = rest.slice(1);
    if (rest[0] !== '.' || !MEDIA_TOPICS.has(suffix)) return { kind: 'unknown', topicName };
    media = suffix as MediaTopic;
  }
  if (!isObject(body)) return malformed('conversation event without an eventBody object');
  return { kind: 'conversation', queueId, media, body, correlationId: correlationIdOf(envelope) };
}
