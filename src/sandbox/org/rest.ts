/**
 * REST answers about a conversation: `GET /api/v2/conversations/{id}` (generic: `ani`/`dnis` and
 * `externalContactId` on participants, state on the media entries) and the media-specific
 * `GET /api/v2/conversations/{calls|callbacks|chats|messages|emails}/{id}` (state on the
 * participant). Both answer ended conversations too, with `endTime` and ended legs.
 */
import type { Models } from 'purecloud-platform-client-v2';
import { MEDIA_KEY, type MediaLeg, type SandboxConversation, type SandboxParticipant } from './conversation.js';
import { mediaSnapshot, SANDBOX_DIVISION_ID, shownState } from './snapshots.js';

function restLeg(p: SandboxParticipant, leg: MediaLeg): Models.Call {
  return {
    id: leg.id,
    state: shownState(p, leg, 'media'),
    initialState: leg.initialState,
    direction: leg.direction,
    held: leg.held,
    ...(leg.connectedTime !== undefined && { connectedTime: leg.connectedTime }),
    ...(leg.disconnectedTime !== undefined && { disconnectedTime: leg.disconnectedTime }),
    ...(leg.disconnectType !== undefined && { disconnectType: leg.disconnectType }),
  };
}

function mediaEntries(conv: SandboxConversation, p: SandboxParticipant): Partial<Models.Participant> {
  const leg = restLeg(p, p.leg);
  switch (conv.media) {
    case 'call':
      return { calls: [leg] };
    case 'chat':
      return { chats: [{ ...leg, ...(conv.chatProvider !== undefined && { provider: conv.chatProvider }) }] };
    case 'message':
      return { messages: [{ ...leg, type: conv.messageType ?? 'webmessaging', provider: 'PureCloud Messaging' }] };
    case 'email':
      return { emails: [{ ...leg, subject: 'Enquiry', messagesSent: 1 }] };
    case 'callback': {
      const cb = p.callback;
      const callback: Models.Callback = {
        ...leg,
        ...(cb !== undefined && {
          callbackNumbers: [...cb.numbers],
          scriptId: cb.scriptId,
          callbackScheduledTime: cb.scheduledTime,
          ...(cb.userName !== undefined && { callbackUserName: cb.userName }),
        }),
      };
      return { callbacks: [callback], ...(p.dialLeg !== undefined && { calls: [restLeg(p, p.dialLeg)] }) };
    }
  }
}

/** The answer of `GET /api/v2/conversations/{conversationId}`. */
export function restConversation(conv: SandboxConversation): Models.Conversation {
  return {
    id: conv.id,
    startTime: new Date(conv.startedAt).toISOString(),
    ...(conv.endedAt !== undefined && { endTime: new Date(conv.endedAt).toISOString() }),
    recordingState: conv.recordingState,
    participants: conv.participants.map((p): Models.Participant => ({
      id: p.id,
      purpose: p.purpose,
      startTime: p.startTime,
      attributes: { ...p.attributes },
      ...(p.name !== undefined && { name: p.name }),
      ...(p.address !== undefined && { address: p.address }),
      ...(p.ani !== undefined && { ani: p.ani }),
      ...(p.dnis !== undefined && { dnis: p.dnis }),
      ...(p.queueId !== undefined && { queueId: p.queueId }),
      ...(p.userId !== undefined && { userId: p.userId }),
      ...(p.externalContactId !== undefined && { externalContactId: p.externalContactId }),
      ...(p.connectedTime !== undefined && { connectedTime: p.connectedTime }),
      ...(p.endTime !== undefined && { endTime: p.endTime }),
      ...(p.startAcwTime !== undefined && { startAcwTime: p.startAcwTime }),
      ...mediaEntries(conv, p),
    })),
    divisions: [{ division: { id: SANDBOX_DIVISION_ID } }],
  };
}

/** A media-specific REST conversation, one model per media. */
export type RestMediaConversation =
  | Models.CallConversation
  | Models.CallbackConversation
  // The pinned SDK has no REST model for chats: their answer has the media-specific topic's shape.
  | Models.QueueConversationChatEventTopicChatConversation
  | Models.MessageConversation
  | Models.EmailConversation;

/** The path segment of each media's REST resource. */
export const REST_MEDIA_PATH = MEDIA_KEY;

/**
 * The answer of `GET /api/v2/conversations/{media}/{conversationId}`: the media-specific
 * participant shape (the one the media-specific topics carry) with the conversation's times.
 */
export function restMediaConversation(conv: SandboxConversation): RestMediaConversation {
  const body: RestMediaConversation = mediaSnapshot(conv);
  return { ...body, selfUri: `/api/v2/conversations/${MEDIA_KEY[conv.media]}/${conv.id}` };
}
