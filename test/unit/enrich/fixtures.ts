/**
 * Builders of realistic queue conversation bodies in both shapes Genesys sends (the generic snapshot
 * and the media-specific one), typed with the SDK's models so the compiler checks the field names.
 */
import type { Models } from 'purecloud-platform-client-v2';
import type { MediaType } from '../../../src/enrich/snapshot.js';

export const MEDIA: readonly MediaType[] = ['call', 'chat', 'message', 'email', 'callback'];
export const Q1 = '6c2f0b8e-1d1e-4c1b-9a55-0b2a3f1c7e10';
export const Q2 = '0f1e2d3c-4b5a-4968-8776-655443322110';
export const QX = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
export const AGENT1 = '9e8d7c6b-5a49-4837-8261-5f4e3d2c1b0a';
export const AGENT2 = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

/** A participant, independent of the shape: `states` are its media entries oldest first (the last is current). */
export interface PSpec {
  id: string;
  purpose: string;
  queueId?: string;
  userId?: string;
  address?: string;
  states: readonly string[];
  held?: boolean;
  attributes?: Record<string, string>;
}

export type Shape = 'generic' | 'specific';

const GENERIC_KEY = {
  call: 'calls',
  chat: 'chats',
  message: 'messages',
  email: 'emails',
  callback: 'callbacks',
} as const satisfies Record<MediaType, keyof Models.QueueConversationEventTopicParticipant>;

type MediaEntry = Models.QueueConversationEventTopicCall &
  Models.QueueConversationEventTopicChat &
  Models.QueueConversationEventTopicMessage &
  Models.QueueConversationEventTopicEmail &
  Models.QueueConversationEventTopicCallback;

type SpecificParticipant = Models.QueueConversationCallEventTopicCallMediaParticipant &
  Models.QueueConversationChatEventTopicChatMediaParticipant &
  Models.QueueConversationMessageEventTopicMessageMediaParticipant &
  Models.QueueConversationEmailEventTopicEmailMediaParticipant &
  Models.QueueConversationCallbackEventTopicCallbackMediaParticipant;

type SpecificConversation =
  | Models.QueueConversationCallEventTopicCallConversation
  | Models.QueueConversationChatEventTopicChatConversation
  | Models.QueueConversationMessageEventTopicMessageConversation
  | Models.QueueConversationEmailEventTopicEmailConversation
  | Models.QueueConversationCallbackEventTopicCallbackConversation;

const T0 = Date.parse('2024-05-06T09:00:00.000Z');
const at = (i: number): string => new Date(T0 + i * 1_000).toISOString();
const terminal = (s: string): boolean => s === 'disconnected' || s === 'terminated';

function entry(p: PSpec, state: string, i: number): MediaEntry {
  const e: MediaEntry = { id: `${p.id}-m${i}`, state, initialState: i === 0 ? p.states[0] ?? state : 'alerting' };
  if (state !== 'alerting' && state !== 'offering') e.connectedTime = at(i);
  if (terminal(state)) {
    e.disconnectedTime = at(i + 1);
    e.disconnectType = p.purpose === 'customer' || p.purpose === 'external' ? 'peer' : 'transfer';
  }
  if (p.held === true) e.held = true;
  return e;
}

function genericParticipant(p: PSpec, media: MediaType): Models.QueueConversationEventTopicParticipant {
  const out: Models.QueueConversationEventTopicParticipant = {
    id: p.id,
    purpose: p.purpose,
    attributes: p.attributes ?? {},
    [GENERIC_KEY[media]]: p.states.map((s, i) => entry(p, s, i)),
  };
  if (p.queueId !== undefined) out.queueId = p.queueId;
  if (p.userId !== undefined) out.userId = p.userId;
  if (p.address !== undefined) out.address = p.address;
  const last = p.states.at(-1);
  if (last !== undefined && terminal(last)) out.endTime = at(p.states.length);
  return out;
}

function specificParticipant(p: PSpec): SpecificParticipant {
  const state = p.states.at(-1) ?? 'connected';
  const out: SpecificParticipant = {
    id: p.id,
    purpose: p.purpose,
    state,
    startTime: at(0),
    attributes: p.attributes ?? {},
  };
  if (p.states[0] !== undefined) out.initialState = p.states[0];
  if (p.queueId !== undefined) out.queue = { id: p.queueId, name: 'Some queue' };
  if (p.userId !== undefined) out.user = { id: p.userId, name: 'Some agent' };
  if (p.address !== undefined) out.address = p.address;
  if (state !== 'alerting' && state !== 'offering') out.connectedTime = at(0);
  if (terminal(state)) out.endTime = at(p.states.length);
  if (p.held === true) out.held = true;
  return out;
}

/** The body of `v2.routing.queues.{id}.conversations` (state on the media entries). */
export function genericBody(id: string, media: MediaType, parts: readonly PSpec[]): Models.QueueConversationEventTopicConversation {
  return { id, recordingState: 'none', participants: parts.map((p) => genericParticipant(p, media)) };
}

/** The body of `v2.routing.queues.{id}.conversations.{media}s` (state on the participant). */
export function specificBody(id: string, parts: readonly PSpec[]): SpecificConversation {
  return { id, name: 'conversation', participants: parts.map(specificParticipant) };
}

/** Either shape; the frame goes through JSON as it would on the wire. */
export function body(shape: Shape, id: string, media: MediaType, parts: readonly PSpec[]): unknown {
  const built = shape === 'generic' ? genericBody(id, media, parts) : specificBody(id, parts);
  return JSON.parse(JSON.stringify(built)) as unknown;
}

// Participants of the scenarios, by role.
export const customer = (states: readonly string[], attributes?: Record<string, string>): PSpec => ({
  id: 'p-cust',
  purpose: 'customer',
  address: 'tel:+4915112345678',
  states,
  ...(attributes === undefined ? {} : { attributes }),
});
export const external = (states: readonly string[]): PSpec => ({
  id: 'p-ext',
  purpose: 'external',
  address: 'tel:+4930123456',
  states,
});
export const ivr = (states: readonly string[]): PSpec => ({ id: 'p-ivr', purpose: 'ivr', states });
export const acd = (id: string, queueId: string, states: readonly string[]): PSpec => ({ id, purpose: 'acd', queueId, states });
export const agent = (
  id: string,
  queueId: string | undefined,
  states: readonly string[],
  extra: Partial<PSpec> = {},
): PSpec => ({
  id,
  purpose: 'agent',
  userId: id === 'p-agent2' ? AGENT2 : AGENT1,
  states,
  ...(queueId === undefined ? {} : { queueId }),
  ...extra,
});
