/**
 * The sandbox's conversation model and the payloads built from it. Payload builders are typed
 * with the official SDK's models so the compiler checks that the sandbox speaks Genesys' shapes:
 * the generic queue topic puts `state` on the media entries (`calls[]`, `chats[]`, ...), the
 * media-specific topics put it on the participant (with `queue`/`user` references).
 */
import type { Models } from 'purecloud-platform-client-v2';

export type SandboxMedia = 'call' | 'chat' | 'message' | 'email' | 'callback';
export const SANDBOX_MEDIA: readonly SandboxMedia[] = ['call', 'chat', 'message', 'email', 'callback'];

/** Name of the media list on a generic-topic participant and the media-specific topic suffix. */
export const MEDIA_KEY = {
  call: 'calls',
  chat: 'chats',
  message: 'messages',
  email: 'emails',
  callback: 'callbacks',
} as const satisfies Record<SandboxMedia, string>;

/** One participant's media leg (Genesys: a "communication"). */
export interface MediaLeg {
  id: string;
  state: string;
  initialState: string;
  direction: 'inbound' | 'outbound';
  held: boolean;
  connectedTime?: string;
  disconnectedTime?: string;
  disconnectType?: string;
}

/** A callback request: the numbers the customer left, as `callbacks[]` entries carry them. */
export interface CallbackRequest {
  /** Numbers as the customer typed them (E.164); `[""]` when they gave none. */
  numbers: string[];
  userName?: string;
  scriptId: string;
  scheduledTime: string;
}

export interface SandboxParticipant {
  id: string;
  purpose: string;
  name?: string;
  address?: string;
  /** Calling number of a call (`tel:+...`); only the media-specific shapes carry it. */
  ani?: string;
  /** Dialled number of a call. */
  dnis?: string;
  /** Id of the external contact Genesys matched. */
  externalContactId?: string;
  /** Set on the participants of a callback conversation. */
  callback?: CallbackRequest;
  /** Set once the agent dials a callback: a `calls[]` leg beside the `callbacks[]` one. */
  dialLeg?: MediaLeg;
  /** After-call work start (agent legs). */
  startAcwTime?: string;
  queueId?: string;
  userId?: string;
  startTime: string;
  connectedTime?: string;
  endTime?: string;
  attributes: Record<string, string>;
  leg: MediaLeg;
}

/** Kind of a message conversation, as the message entry's `type` says. */
export type MessageType = 'webmessaging' | 'sms' | 'whatsapp';

/** Who the customer of a conversation is, as the sandbox invented them (for the truth API). */
export interface CustomerFacts {
  readonly phone: string;
  readonly email: string;
  readonly externalContactId?: string;
  /** The CRM's entity id; undefined when the CRM does not know this customer. */
  readonly crmCustomerId?: string;
}

export interface SandboxConversation {
  id: string;
  /** The medium the conversation entered as (a dialled callback stays a callback). */
  media: SandboxMedia;
  /** Message conversations only. */
  messageType?: MessageType;
  /** Chat conversations only: the chat provider (web chat v2 guests carry no address). */
  chatProvider?: string;
  /** The invented customer behind the customer participant. */
  customer?: CustomerFacts;
  /** Whether the customer participant carried forged enricher attributes from the start. */
  forgedMarker?: boolean;
  participants: SandboxParticipant[];
  startedAt: number;
  /** Set once every participant has ended. */
  endedAt?: number;
  /** Every queue this conversation has been routed to (its snapshots go to each one's topics). */
  queueIds: string[];
  recordingState: string;
}

type GenericParticipant = Models.QueueConversationEventTopicParticipant;

/** The body of a `v2.routing.queues.{id}.conversations` frame. */
export function genericSnapshot(conv: SandboxConversation): Models.QueueConversationEventTopicConversation {
  return {
    id: conv.id,
    participants: conv.participants.map((p) => genericParticipant(conv.media, p)),
    recordingState: conv.recordingState,
    divisions: [{ division: { id: 'f9c6a1e2-0000-4000-8000-000000000001' }, entities: [{ id: conv.queueIds[0] ?? '' }] }],
  };
}

function genericParticipant(media: SandboxMedia, p: SandboxParticipant): GenericParticipant {
  const base: GenericParticipant = {
    id: p.id,
    purpose: p.purpose,
    attributes: { ...p.attributes },
    ...(p.name !== undefined && { name: p.name }),
    ...(p.address !== undefined && { address: p.address }),
    ...(p.queueId !== undefined && { queueId: p.queueId }),
    ...(p.userId !== undefined && { userId: p.userId }),
    ...(p.connectedTime !== undefined && { connectedTime: p.connectedTime }),
    ...(p.endTime !== undefined && { endTime: p.endTime }),
  };
  const leg = legFields(p.leg);
  switch (media) {
    case 'call':
      return { ...base, calls: [{ ...leg, direction: p.leg.direction, recording: false }] };
    case 'chat':
      return { ...base, chats: [leg] };
    case 'message':
      return { ...base, messages: [{ ...leg, direction: p.leg.direction, type: 'webmessaging' }] };
    case 'email':
      return { ...base, emails: [{ ...leg, direction: p.leg.direction, subject: 'Enquiry', messagesSent: 1 }] };
    case 'callback':
      return { ...base, callbacks: [{ ...leg, direction: p.leg.direction, callbackNumbers: p.address ? [p.address.replace(/^tel:/, '')] : [] }] };
  }
}

function legFields(leg: MediaLeg): Models.QueueConversationEventTopicChat {
  return {
    id: leg.id,
    state: leg.state,
    initialState: leg.initialState,
    held: leg.held,
    ...(leg.connectedTime !== undefined && { connectedTime: leg.connectedTime }),
    ...(leg.disconnectedTime !== undefined && { disconnectedTime: leg.disconnectedTime }),
    ...(leg.disconnectType !== undefined && { disconnectType: leg.disconnectType }),
  };
}

/**
 * The body of a media-specific frame (`...conversations.calls` and friends): state on the
 * participant, queue and user as references. Typed against the call variant; the other media's
 * participant models share these fields.
 */
export function mediaSnapshot(conv: SandboxConversation): Models.QueueConversationCallEventTopicCallConversation {
  return {
    id: conv.id,
    recordingState: conv.recordingState,
    participants: conv.participants.map((p): Models.QueueConversationCallEventTopicCallMediaParticipant => ({
      id: p.id,
      purpose: p.purpose,
      startTime: p.startTime,
      state: p.leg.state,
      initialState: p.leg.initialState,
      direction: p.leg.direction,
      held: p.leg.held,
      attributes: { ...p.attributes },
      ...(p.name !== undefined && { name: p.name }),
      ...(p.address !== undefined && { address: p.address }),
      ...(p.queueId !== undefined && { queue: { id: p.queueId } }),
      ...(p.userId !== undefined && { user: { id: p.userId } }),
      ...(p.connectedTime !== undefined && { connectedTime: p.connectedTime }),
      ...(p.endTime !== undefined && { endTime: p.endTime }),
      ...(p.leg.disconnectType !== undefined && { disconnectType: p.leg.disconnectType }),
    })),
  };
}

/** The answer of `GET /api/v2/conversations/{conversationId}`. */
export function restConversation(conv: SandboxConversation): Models.Conversation {
  return {
    id: conv.id,
    startTime: new Date(conv.startedAt).toISOString(),
    ...(conv.endedAt !== undefined && { endTime: new Date(conv.endedAt).toISOString() }),
    recordingState: conv.recordingState,
    participants: conv.participants.map((p): Models.Participant => {
      const media = { id: p.leg.id, state: p.leg.state, direction: p.leg.direction, held: p.leg.held };
      return {
        id: p.id,
        purpose: p.purpose,
        startTime: p.startTime,
        attributes: { ...p.attributes },
        ...(p.name !== undefined && { name: p.name }),
        ...(p.address !== undefined && { address: p.address }),
        ...(p.queueId !== undefined && { queueId: p.queueId }),
        ...(p.userId !== undefined && { userId: p.userId }),
        ...(p.connectedTime !== undefined && { connectedTime: p.connectedTime }),
        ...(p.endTime !== undefined && { endTime: p.endTime }),
        [MEDIA_KEY[conv.media]]: [media],
      };
    }),
    divisions: [{ division: { id: 'f9c6a1e2-0000-4000-8000-000000000001' } }],
  };
}

/** True when the leg is over. */
export function isTerminal(state: string): boolean {
  return state === 'disconnected' || state === 'terminated';
}
