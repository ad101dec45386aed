/**
 * The notification bodies of a conversation, as real orgs send them (typed with the official SDK's
 * models so the compiler checks the field names):
 * - the generic queue topic puts `state` on the media entries (`calls[]`, `callbacks[]`, ...), has
 *   `queueId`, `externalContactId` and no `ani`; call entries carry `self`/`other` addresses;
 * - the media-specific topics put `state` on the participant, `queue`/`user`/`externalContact` as
 *   references, `ani`/`dnis` on calls, the callback request on callbacks, the message `type`;
 *   ended ivr/acd/agent legs show `terminated` there.
 * A callback that the agent dials gains a `calls[]` entry beside its `callbacks[]` entry.
 */
import type { Models } from 'purecloud-platform-client-v2';
import { isTerminal, type MediaLeg, type SandboxConversation, type SandboxParticipant } from './conversation.js';

/** Division every sandbox conversation belongs to. */
export const SANDBOX_DIVISION_ID = 'f9c6a1e2-0000-4000-8000-000000000001';

type GenericParticipant = Models.QueueConversationEventTopicParticipant;

/** The state a leg shows: ended ivr/acd/agent legs are `terminated` where real payloads show it. */
export function shownState(p: SandboxParticipant, leg: MediaLeg, shape: 'generic' | 'media'): string {
  if (!isTerminal(leg.state) || p.purpose === 'customer') return leg.state;
  // Generic payloads mix both words: ivr and acd legs end terminated, agents disconnected.
  if (shape === 'generic' && p.purpose === 'agent') return leg.state;
  return 'terminated';
}

/** An address object of a call entry (`self`/`other`). */
function addressOf(raw: string | undefined, name?: string): Models.QueueConversationEventTopicAddress | undefined {
  if (raw === undefined) return undefined;
  const bare = raw.replace(/^(tel|sip):/, '');
  return { addressNormalized: raw, addressRaw: bare, addressDisplayable: bare, ...(name !== undefined && { name, nameRaw: name }) };
}

/** The customer of a conversation (the other end for every non-customer leg). */
function customerOf(conv: SandboxConversation): SandboxParticipant | undefined {
  return conv.participants.find((p) => p.purpose === 'customer');
}

/** The body of a `v2.routing.queues.{id}.conversations` frame. */
export function genericSnapshot(conv: SandboxConversation): Models.QueueConversationEventTopicConversation {
  return {
    id: conv.id,
    participants: conv.participants.map((p) => genericParticipant(conv, p)),
    recordingState: conv.recordingState,
    divisions: [{ division: { id: SANDBOX_DIVISION_ID }, entities: [{ id: conv.queueIds[0] ?? '' }] }],
  };
}

function genericLeg(p: SandboxParticipant, leg: MediaLeg): Models.QueueConversationEventTopicChat {
  return {
    id: leg.id,
    state: shownState(p, leg, 'generic'),
    initialState: leg.initialState,
    held: leg.held,
    ...(leg.connectedTime !== undefined && { connectedTime: leg.connectedTime }),
    ...(leg.disconnectedTime !== undefined && { disconnectedTime: leg.disconnectedTime }),
    ...(leg.disconnectType !== undefined && { disconnectType: leg.disconnectType }),
  };
}

function genericCall(conv: SandboxConversation, p: SandboxParticipant, leg: MediaLeg): Models.QueueConversationEventTopicCall {
  const customer = customerOf(conv);
  const selfAddress = p.purpose === 'customer' ? (p.ani ?? p.address) : p.address;
  const otherAddress = p.purpose === 'customer' ? p.dnis : (customer?.ani ?? customer?.address ?? customer?.callback?.numbers[0]);
  const self = addressOf(selfAddress, p.name);
  const other = addressOf(otherAddress);
  return {
    ...genericLeg(p, leg),
    direction: leg.direction,
    recording: false,
    provider: 'Edge',
    ...(self !== undefined && { self }),
    ...(other !== undefined && { other }),
  };
}

function genericParticipant(conv: SandboxConversation, p: SandboxParticipant): GenericParticipant {
  const base: GenericParticipant = {
    id: p.id,
    purpose: p.purpose,
    attributes: { ...p.attributes },
    ...(p.name !== undefined && { name: p.name }),
    ...(p.address !== undefined && { address: p.address }),
    ...(p.queueId !== undefined && { queueId: p.queueId }),
    ...(p.userId !== undefined && { userId: p.userId }),
    ...(p.externalContactId !== undefined && { externalContactId: p.externalContactId }),
    ...(p.connectedTime !== undefined && { connectedTime: p.connectedTime }),
    ...(p.endTime !== undefined && { endTime: p.endTime }),
    ...(p.startAcwTime !== undefined && { startAcwTime: p.startAcwTime }),
  };
  const leg = genericLeg(p, p.leg);
  switch (conv.media) {
    case 'call':
      return { ...base, calls: [genericCall(conv, p, p.leg)] };
    case 'chat':
      return { ...base, chats: [{ ...leg, ...(conv.chatProvider !== undefined && { provider: conv.chatProvider }) }] };
    case 'message':
      return { ...base, messages: [{ ...leg, direction: p.leg.direction, type: conv.messageType ?? 'webmessaging', provider: 'PureCloud Messaging' }] };
    case 'email':
      return { ...base, emails: [{ ...leg, direction: p.leg.direction, subject: 'Enquiry', messagesSent: 1 }] };
    case 'callback':
      return {
        ...base,
        callbacks: [{ ...leg, direction: p.leg.direction, ...callbackFields(p) }],
        ...(p.dialLeg !== undefined && { calls: [genericCall(conv, p, p.dialLeg)] }),
      };
  }
}

/** The callback request fields every participant of a callback carries. */
function callbackFields(p: SandboxParticipant): {
  callbackNumbers?: string[];
  callbackUserName?: string;
  scriptId?: string;
  callbackScheduledTime?: string;
} {
  const cb = p.callback;
  if (cb === undefined) return {};
  return {
    callbackNumbers: [...cb.numbers],
    ...(cb.userName !== undefined && { callbackUserName: cb.userName }),
    scriptId: cb.scriptId,
    callbackScheduledTime: cb.scheduledTime,
  };
}

/** A media-specific conversation body, one model per media. */
export type MediaSnapshot =
  | Models.QueueConversationCallEventTopicCallConversation
  | Models.QueueConversationCallbackEventTopicCallbackConversation
  | Models.QueueConversationChatEventTopicChatConversation
  | Models.QueueConversationMessageEventTopicMessageConversation
  | Models.QueueConversationEmailEventTopicEmailConversation;

type MediaBase = Models.QueueConversationChatEventTopicChatMediaParticipant;

function ref(id: string, kind: string): { id: string; selfUri: string } {
  return { id, selfUri: `/api/v2/${kind}/${id}` };
}

function mediaBase(p: SandboxParticipant): MediaBase {
  return {
    id: p.id,
    purpose: p.purpose,
    startTime: p.startTime,
    state: shownState(p, p.leg, 'media'),
    initialState: p.leg.initialState,
    direction: p.leg.direction,
    held: p.leg.held,
    attributes: { ...p.attributes },
    ...(p.name !== undefined && { name: p.name }),
    ...(p.address !== undefined && { address: p.address }),
    ...(p.queueId !== undefined && { queue: ref(p.queueId, 'routing/queues') }),
    ...(p.userId !== undefined && { user: ref(p.userId, 'users') }),
    ...(p.externalContactId !== undefined && { externalContact: ref(p.externalContactId, 'externalcontacts/contacts') }),
    ...(p.connectedTime !== undefined && { connectedTime: p.connectedTime }),
    ...(p.endTime !== undefined && { endTime: p.endTime }),
    ...(p.leg.disconnectType !== undefined && { disconnectType: p.leg.disconnectType }),
    ...(p.startAcwTime !== undefined && { startAcwTime: p.startAcwTime }),
  };
}

/** The body of a media-specific frame (`...conversations.calls` and friends). */
export function mediaSnapshot(conv: SandboxConversation): MediaSnapshot {
  const head = { id: conv.id, recordingState: conv.recordingState };
  switch (conv.media) {
    case 'call':
      return {
        ...head,
        participants: conv.participants.map((p): Models.QueueConversationCallEventTopicCallMediaParticipant => ({
          ...mediaBase(p),
          recording: false,
          ...(p.ani !== undefined && { ani: p.ani }),
          ...(p.dnis !== undefined && { dnis: p.dnis }),
        })),
      };
    case 'callback':
      return {
        ...head,
        participants: conv.participants.map((p): Models.QueueConversationCallbackEventTopicCallbackMediaParticipant => ({
          ...mediaBase(p),
          ...callbackFields(p),
        })),
      };
    case 'chat':
      return {
        ...head,
        participants: conv.participants.map((p): Models.QueueConversationChatEventTopicChatMediaParticipant => ({
          ...mediaBase(p),
          ...(conv.chatProvider !== undefined && { provider: conv.chatProvider }),
        })),
      };
    case 'message':
      return {
        ...head,
        participants: conv.participants.map((p): Models.QueueConversationMessageEventTopicMessageMediaParticipant => ({
          ...mediaBase(p),
          type: conv.messageType ?? 'webmessaging',
          provider: 'PureCloud Messaging',
        })),
      };
    case 'email':
      return {
        ...head,
        participants: conv.participants.map((p): Models.QueueConversationEmailEventTopicEmailMediaParticipant => ({
          ...mediaBase(p),
          subject: 'Enquiry',
          messagesSent: 1,
        })),
      };
  }
}
