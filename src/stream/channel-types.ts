/** Types, options and defaults of a notification channel (see channel.ts). */
import type { Logger } from '../log.js';
import type { RotationRoom } from './channel-budget.js';
import type { SocketFactory } from './connection.js';
import type { Frame } from './frames.js';
import type { BackoffOptions } from './timing.js';

/** A topic Genesys refused on subscribe (`ignoreErrors=true` answers `Rejected`). */
export interface RejectedTopic {
  topic: string;
  reason?: string;
  missingPermissions: string[];
}

/** The Genesys REST calls a channel needs; implemented over the SDK elsewhere, faked in tests. */
export interface ChannelApi {
  /** `POST /api/v2/notifications/channels`. */
  createChannel(): Promise<{ id: string; connectUri: string; expires?: string }>;
  /** `PUT .../channels/{id}/subscriptions?ignoreErrors=true`: replaces the topic list. */
  subscribe(channelId: string, topics: readonly string[]): Promise<{ rejected: RejectedTopic[] }>;
  /** `HEAD .../channels/{id}`: false on 404. */
  channelExists(channelId: string): Promise<boolean>;
  /**
   * The channel's current `expires` (e.g. from `GET .../channels?includechannels=oauthclient`), used
   * after a renewal to learn whether re-subscribing moved it. Without it every renewal rotates.
   */
  channelExpires?(channelId: string): Promise<string | undefined>;
}

/** States of one channel; exactly one at a time, changed only by `transition()`. */
export type ChannelState = 'idle' | 'connecting' | 'open' | 'rotating' | 'backoff' | 'stopped';

/** Options of one channel. */
export interface ChannelOptions {
  /** Topics to subscribe (at most 1,000: see `packTopics`). */
  topics: readonly string[];
  /** Silence (no frame of any kind) after which `{"message":"ping"}` is sent; Genesys heartbeats every ~30 s. */
  heartbeatTimeoutMs: number;
  /** Time a ping may go without any frame after it before the socket is dropped and reconnected. */
  pongTimeoutMs: number;
  /** Delays between connection attempts (socket or channel API failures). */
  backoff: BackoffOptions;
  /** From starting a socket to `open`. */
  connectTimeoutMs: number;
  /** How long before `expires` to renew (re-subscribe, or rotate when that does not move `expires`). */
  rotateBeforeExpiryMs: number;
  /** How long a closing socket may take to finish the closing handshake before it is terminated. */
  closeTimeoutMs: number;
  /** Lifetime assumed when Genesys gives no `expires` (documented: 24 h). */
  assumedLifetimeMs: number;
}

/** Defaults of every channel option but the topics. */
export const CHANNEL_DEFAULTS = {
  heartbeatTimeoutMs: 45_000,
  pongTimeoutMs: 10_000,
  backoff: { minMs: 1_000, maxMs: 30_000, factor: 2, jitter: 0.2 },
  connectTimeoutMs: 10_000,
  rotateBeforeExpiryMs: 60 * 60 * 1000,
  closeTimeoutMs: 5_000,
  assumedLifetimeMs: 24 * 60 * 60 * 1000,
} as const satisfies Omit<ChannelOptions, 'topics'>;

/** Why frames may have been lost. */
export type GapReason = 'start' | 'reconnect' | 'rotation' | 'resubscribe' | 'channel-gone';

/** A window (epoch ms) in which frames may have been lost: the backfill should look at it. */
export interface GapInfo {
  channelKey: string;
  reason: GapReason;
  from: number;
  to: number;
}

/** What a channel reports. Handlers should not throw (a throw is logged and otherwise ignored). */
export interface ChannelEvents {
  /** Every parsed frame, control frames included; during a rotation both sockets' frames (dedupe downstream). */
  onFrame(frame: Frame, channelKey: string): void;
  onGap(info: GapInfo): void;
  onStateChange?(from: ChannelState, to: ChannelState, reason: string): void;
  onRejectedTopics?(rejected: RejectedTopic[], channelKey: string): void;
  /** Asked before a text frame is parsed; true drops it (it still counts as life on the socket). */
  skipText?(text: string): boolean;
}

/** Collaborators of a channel. */
export interface ChannelDeps {
  api: ChannelApi;
  logger: Logger;
  events: ChannelEvents;
  /** Opens the sockets (default: `ws` with the frame limit); tests pass mock-socket's WebSocket. */
  connect?: SocketFactory;
  /**
   * Room for the extra channel a make-before-break rotation holds, shared by the channels of one
   * OAuth client; without one every rotation overlaps.
   */
  rotationRoom?: RotationRoom;
  /** Clock (epoch ms) and random source, replaceable in tests. */
  now?: () => number;
  random?: () => number;
}

/** Counters and current facts of a channel, for health and metrics. */
export interface ChannelStats {
  state: ChannelState;
  channelId: string | undefined;
  topics: number;
  frames: number;
  pingsSent: number;
  reconnects: number;
  rotations: number;
  gaps: number;
  channelsCreated: number;
  lastFrameAt: number;
  /** Epoch ms of the last state change (an `open` channel has been open since then). */
  stateSince: number;
}

const TRANSITIONS: Readonly<Record<ChannelState, readonly ChannelState[]>> = {
  idle: ['connecting', 'stopped'],
  connecting: ['open', 'backoff', 'stopped'],
  open: ['backoff', 'rotating', 'stopped'],
  rotating: ['open', 'stopped'],
  backoff: ['connecting', 'stopped'],
  stopped: ['connecting'],
};

/** Whether a channel may go from one state to another (anything else is a bug, and throws). */
export function canTransition(from: ChannelState, to: ChannelState): boolean {
  return TRANSITIONS[from].includes(to);
}
