/**
 * The sandbox's conversation model. The payloads built from it are in `snapshots.ts` (notification
 * bodies) and `rest.ts` (REST answers).
 */

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

/** True when the leg is over. */
export function isTerminal(state: string): boolean {
  return state === 'disconnected' || state === 'terminated';
}
