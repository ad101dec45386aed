/**
 * Turns the body of a queue conversation frame (either shape Genesys sends, docs/architecture.md, "Conversation frames")
 * into one small internal view. Runs on every frame, so it reads fields in place, copies nothing it
 * does not have to, and never throws: garbage gives `undefined` or drops the bad participant.
 */
import type { Models } from 'purecloud-platform-client-v2';

/** Media types the daemon understands (each has its own queue topic variant). */
export type MediaType = 'call' | 'chat' | 'message' | 'email' | 'callback';

/** One participant, reduced to what the decisions need. Optional fields are absent, never `undefined`. */
export interface ParticipantView {
  id: string;
  /** `customer`, `external`, `ivr`, `acd`, `agent`, `user`, `workflow`, `voicemail`, ... as sent. */
  purpose: string;
  queueId?: string;
  userId?: string;
  address?: string;
  /** The calling number (media-specific call shape and the REST conversation), as sent. */
  ani?: string;
  /** The external contact Genesys matched: `externalContactId` (generic, REST) or `externalContact.id` (media-specific). */
  externalContactId?: string;
  /** The first non-empty callback number (`callbacks[].callbackNumbers`, or the participant's own list in the callback shape). */
  callbackNumber?: string;
  /** The message entry's `type` (`sms`, `whatsapp`, `webmessaging`, ...), as sent. */
  messageType?: string;
  /**
   * The media the participant entered as: that of its chosen media entry (generic shape) or the topic's
   * (media-specific shape), except that a participant carrying a callback stays `callback` when the
   * agent dials it and a `calls[]` entry appears beside the callback.
   */
  media?: MediaType;
  /** `alerting`, `connected`, `disconnected`, `terminated`, ... as sent. */
  state?: string;
  connectedTime?: string;
  endTime?: string;
  /** Participant attributes; string values only (others are dropped). May be the frame's own object. */
  attributes: Readonly<Record<string, string>>;
}

/** One conversation snapshot: its id and its well-formed participants, in the order Genesys sent them. */
export interface ConversationView {
  id: string;
  participants: readonly ParticipantView[];
}

/** States after which a media entry (or a participant) is gone for good. */
export function isTerminalState(state: string | undefined): boolean {
  return state === 'disconnected' || state === 'terminated';
}

/** Field names checked against the SDK's models; values stay `unknown` because frames are untrusted. */
type Loose<T> = { readonly [K in keyof T]?: unknown };
type RawConversation = Loose<Models.QueueConversationEventTopicConversation> &
  Loose<Models.QueueConversationCallEventTopicCallConversation>;
type RawParticipant = Loose<Models.QueueConversationEventTopicParticipant> &
  Loose<Models.QueueConversationCallEventTopicCallMediaParticipant> &
  Loose<Models.QueueConversationCallbackEventTopicCallbackMediaParticipant> &
  Loose<Models.QueueConversationMessageEventTopicMessageMediaParticipant> &
  Loose<Models.Participant>;
type RawMediaEntry = Loose<Models.QueueConversationEventTopicCall> &
  Loose<Models.QueueConversationEventTopicChat> &
  Loose<Models.QueueConversationEventTopicMessage> &
  Loose<Models.QueueConversationEventTopicEmail> &
  Loose<Models.QueueConversationEventTopicCallback>;
type RawRef = Loose<Models.QueueConversationCallEventTopicUriReference>;

/**
 * Generic-shape media arrays and their media type. Callbacks come before calls so that, all else
 * equal, the state of the call a callback turned into wins (later in the scan counts as newer); the
 * media stays `callback` all the same (see {@link applyMediaEntries}).
 */
const MEDIA_ARRAYS = [
  ['callbacks', 'callback'],
  ['calls', 'call'],
  ['chats', 'chat'],
  ['emails', 'email'],
  ['messages', 'message'],
] as const satisfies readonly (readonly [keyof Models.QueueConversationEventTopicParticipant, MediaType])[];

const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function refId(value: unknown): string | undefined {
  return isRecord(value) ? nonEmpty((value as RawRef).id) : undefined;
}

/** The frame's own attribute object when it is clean (the usual case), else a filtered copy. */
function readAttributes(value: unknown): Readonly<Record<string, string>> {
  if (!isRecord(value)) return NO_ATTRIBUTES;
  for (const key in value) {
    if (typeof value[key] !== 'string') return stringsOnly(value);
  }
  return value as Record<string, string>;
}

function stringsOnly(value: Record<string, unknown>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

/** The first non-empty string of a `callbackNumbers` array (`[""]` means the customer gave none). */
function firstNumber(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  for (const n of value as unknown[]) {
    if (typeof n === 'string' && n.trim() !== '') return n;
  }
  return undefined;
}

/** Connected beats still-alive beats gone; within a rank the later entry (newer) wins. */
function rank(state: string): number {
  if (state === 'connected') return 3;
  return isTerminalState(state) ? 1 : 2;
}

/** Reads what identity needs from one media entry: the first callback number and message type win. */
function readEntryIdentity(entry: RawMediaEntry, media: MediaType, view: ParticipantView): void {
  if (media === 'callback' && view.callbackNumber === undefined) {
    const number = firstNumber(entry.callbackNumbers);
    if (number !== undefined) view.callbackNumber = number;
  } else if (media === 'message' && view.messageType === undefined) {
    const type = nonEmpty(entry.type);
    if (type !== undefined) view.messageType = type;
  }
}

/**
 * Fills media, state, the times and the identity bits of the media entries of a generic-shape (or
 * REST) participant. State and times come from the best entry; the media is that entry's, except
 * that any callback entry makes it `callback` (a dialled callback grows a call but stays a callback).
 */
function applyMediaEntries(raw: RawParticipant, view: ParticipantView): void {
  let best: RawMediaEntry | undefined;
  let bestState = '';
  let bestMedia: MediaType | undefined;
  let bestRank = 0;
  let callback = false;
  for (const [key, media] of MEDIA_ARRAYS) {
    const entries = raw[key];
    if (!Array.isArray(entries)) continue;
    for (const entry of entries as unknown[]) {
      if (!isRecord(entry)) continue;
      if (media === 'callback') callback = true;
      readEntryIdentity(entry, media, view);
      const state = nonEmpty((entry as RawMediaEntry).state);
      if (state === undefined) continue;
      const r = rank(state);
      if (r >= bestRank) {
        best = entry;
        bestState = state;
        bestMedia = media;
        bestRank = r;
      }
    }
  }
  if (best === undefined || bestMedia === undefined) {
    if (callback) view.media = 'callback';
    return;
  }
  view.media = callback ? 'callback' : bestMedia;
  view.state = bestState;
  if (view.connectedTime === undefined) {
    const connected = nonEmpty(best.connectedTime);
    if (connected !== undefined) view.connectedTime = connected;
  }
  if (view.endTime === undefined && bestRank === 1) {
    const ended = nonEmpty(best.disconnectedTime);
    if (ended !== undefined) view.endTime = ended;
  }
}

/** Address, ani, external contact, and the media-specific shape's callback numbers and message type. */
function readIdentity(raw: RawParticipant, view: ParticipantView): void {
  const address = nonEmpty(raw.address);
  if (address !== undefined) view.address = address;
  const ani = nonEmpty(raw.ani);
  if (ani !== undefined) view.ani = ani;
  const externalContactId = nonEmpty(raw.externalContactId) ?? refId(raw.externalContact);
  if (externalContactId !== undefined) view.externalContactId = externalContactId;
  const callbackNumber = firstNumber(raw.callbackNumbers);
  if (callbackNumber !== undefined) view.callbackNumber = callbackNumber;
  const messageType = nonEmpty(raw.type);
  if (messageType !== undefined) view.messageType = messageType;
}

function toParticipantView(value: unknown, mediaHint: MediaType | undefined): ParticipantView | undefined {
  if (!isRecord(value)) return undefined;
  const raw = value as RawParticipant;
  const id = nonEmpty(raw.id);
  const purpose = nonEmpty(raw.purpose);
  if (id === undefined || purpose === undefined) return undefined;

  const view: ParticipantView = { id, purpose, attributes: readAttributes(raw.attributes) };
  // The generic shape has `queueId`/`userId`; the media-specific one has `queue.id`/`user.id`.
  const queueId = nonEmpty(raw.queueId) ?? refId(raw.queue);
  if (queueId !== undefined) view.queueId = queueId;
  const userId = nonEmpty(raw.userId) ?? refId(raw.user);
  if (userId !== undefined) view.userId = userId;
  readIdentity(raw, view);
  const connectedTime = nonEmpty(raw.connectedTime);
  if (connectedTime !== undefined) view.connectedTime = connectedTime;
  const endTime = nonEmpty(raw.endTime);
  if (endTime !== undefined) view.endTime = endTime;

  // A state on the participant itself marks the media-specific shape: the topic names the media,
  // except that a participant carrying callback numbers is a callback on whichever topic it came.
  const state = nonEmpty(raw.state);
  if (state !== undefined) {
    view.state = state;
    const callback = Array.isArray(raw.callbackNumbers);
    if (callback) view.media = 'callback';
    else if (mediaHint !== undefined) view.media = mediaHint;
    return view;
  }
  applyMediaEntries(raw, view);
  if (view.media === undefined && mediaHint !== undefined) view.media = mediaHint;
  return view;
}

/**
 * Normalises a conversation frame body (generic `v2.routing.queues.{id}.conversations` or one of its
 * media-specific variants) into a {@link ConversationView}.
 *
 * - Generic shape: a participant's `media`/`state` come from its best media entry across `calls`,
 *   `callbacks`, `chats`, `emails`, `messages`: a connected one first, then any other live one, then a
 *   disconnected/terminated one; the newest (last) wins a tie. `connectedTime`/`endTime` fall back to
 *   that entry's `connectedTime`/`disconnectedTime`.
 * - Media-specific shape (recognised by `state` on the participant): `media` is `mediaHint`.
 * - Returns `undefined` when the body is not an object with an `id` and a `participants` array;
 *   participants without `id` or `purpose` are dropped. Never throws.
 */
export function toConversationView(body: unknown, mediaHint?: MediaType): ConversationView | undefined {
  if (!isRecord(body)) return undefined;
  const raw = body as RawConversation;
  const id = nonEmpty(raw.id);
  const list = raw.participants;
  if (id === undefined || !Array.isArray(list)) return undefined;
  const participants: ParticipantView[] = [];
  for (const item of list as unknown[]) {
    const view = toParticipantView(item, mediaHint);
    if (view !== undefined) participants.push(view);
  }
  return { id, participants };
}
