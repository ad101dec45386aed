/**
 * The frames the notification socket sends, and the one it understands (the application ping).
 * Fixed frames are serialised once at load; event frames once per publish, never per socket.
 */
import { randomUUID } from 'node:crypto';
import type { RawData } from 'ws';

/** Heartbeat, exactly as Genesys sends it (no version, no metadata). */
export const HEARTBEAT_FRAME = JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } });

/** Answer to the client's `{"message":"ping"}`. */
export const PONG_FRAME = JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'pong' } });

/** The notification envelope every event and system frame uses. */
export function eventFrame(topicName: string, eventBody: unknown, correlationId: string = randomUUID()): string {
  return JSON.stringify({ topicName, version: '2', eventBody, metadata: { CorrelationId: correlationId } });
}

/** `v2.system.socket_closing`: sent before a planned close (Genesys does not document the body). */
export function socketClosingFrame(delayMs: number): string {
  return eventFrame('v2.system.socket_closing', { message: 'The socket will close for maintenance', closingInMs: delayMs });
}

/** `v2.system.token_revoked.{channelId}`: the token that created the channel was revoked. */
export function tokenRevokedFrame(channelId: string): string {
  return eventFrame(`v2.system.token_revoked.${channelId}`, { message: 'The token that created this channel was revoked' });
}

/** `v2.system.no_longer_subscribed.{channelId}`: the channel's subscriptions were dropped. */
export function noLongerSubscribedFrame(channelId: string): string {
  return eventFrame(`v2.system.no_longer_subscribed.${channelId}`, { message: 'This channel is no longer subscribed to any topic' });
}

/**
 * The bare message (no envelope) a socket gets when its channel or the token that made it is gone,
 * e.g. `{"result":"404"}`.
 */
export function resultFrame(result: string): string {
  return JSON.stringify({ result });
}

/** Close codes and reasons. Genesys documents none; 1001 "going away" has been seen in the wild. */
export const CLOSE = {
  /** A second socket connected to the same channel. */
  replaced: { code: 1000, reason: 'Another socket connected to this channel' },
  expired: { code: 1000, reason: 'Channel expired' },
  evicted: { code: 1000, reason: 'Channel evicted: too many channels for this client' },
  tokenRevoked: { code: 1000, reason: 'Token revoked' },
  /** The close that `v2.system.socket_closing` announced. */
  maintenance: { code: 1001, reason: 'Closing for maintenance' },
  shutdown: { code: 1001, reason: 'Sandbox stopping' },
} as const satisfies Record<string, { code: number; reason: string }>;

/** Pings are tiny; anything longer is not one and is not worth parsing. */
const MAX_PING_BYTES = 256;

/** Whether a client message is the application ping `{"message":"ping"}` (whitespace allowed). */
export function isPing(data: RawData, isBinary: boolean): boolean {
  if (isBinary) return false;
  const text = rawText(data);
  if (text === undefined || text.length > MAX_PING_BYTES) return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && (parsed as Record<string, unknown>).message === 'ping';
  } catch {
    return false;
  }
}

function rawText(data: RawData): string | undefined {
  if (Buffer.isBuffer(data)) return data.length > MAX_PING_BYTES ? undefined : data.toString('utf8');
  if (Array.isArray(data)) return rawText(Buffer.concat(data));
  return data.byteLength > MAX_PING_BYTES ? undefined : Buffer.from(data).toString('utf8');
}
