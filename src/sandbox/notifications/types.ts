/**
 * The notification hub's shared records: a channel (what the REST API creates) and the one
 * websocket connection it may have at a time.
 */
import type WebSocket from 'ws';
import type { SandboxOptions } from '../options.js';

/** The part of the sandbox options the hub reads. */
export type NotificationHubOptions = Pick<
  SandboxOptions,
  | 'maxChannelsPerClient'
  | 'maxTopicsPerChannel'
  | 'heartbeatIntervalMs'
  | 'channelLifetimeMs'
  | 'resubscribeExtendsChannel'
  | 'socketClosingDelayMs'
>;

/** One notification channel. Mutable on purpose: only the hub's own modules hold these. */
export interface Channel {
  readonly id: string;
  readonly clientId: string;
  /** The bearer token that created it (for `tokenRevoked`); never logged or listed. */
  readonly token: string;
  readonly createdAt: number;
  expiresAt: number;
  /** Subscribed topics, in subscription order. */
  topics: Set<string>;
  /** The open socket, if any (a second connection replaces the first). */
  connection: Connection | undefined;
  /** Fault: no heartbeats on this channel's sockets until turned off. */
  heartbeatsStopped: boolean;
  expiryTimer: NodeJS.Timeout | undefined;
}

/** One accepted websocket. */
export interface Connection {
  readonly ws: WebSocket;
  readonly channel: Channel;
  /** Half-open fault: the socket stays open but nothing is sent and pings go unanswered. */
  silenced: boolean;
  readonly heartbeat: NodeJS.Timeout;
}

/** Running totals, for tests, the control API and benchmarks. */
export interface HubCounters {
  channelsCreated: number;
  channelsEvicted: number;
  /** Evictions that hit a channel with an open socket (a client holding too many channels in use). */
  connectedChannelsEvicted: number;
  /** Channels ended by the `channelGone` fault (`{"result": ...}` sent, socket left open). */
  channelsGone: number;
  channelsExpired: number;
  socketsOpened: number;
  /** Sockets closed because a second socket connected to the same channel. */
  socketsKicked: number;
  /** Sockets terminated abruptly by `dropSockets`. */
  socketsDropped: number;
  /** Upgrade requests refused (unknown path or channel, hub closed). */
  handshakesRefused: number;
  heartbeatsSent: number;
  pingsAnswered: number;
  /** `publish` calls. */
  eventsPublished: number;
  /** Event frames handed to sockets by `publish` (one event to three sockets counts three). */
  framesPublished: number;
  /** Frames handed to sockets by `firehose`. */
  firehoseFrames: number;
}

/** A fresh set of zeroed counters. */
export function zeroCounters(): HubCounters {
  return {
    channelsCreated: 0,
    channelsEvicted: 0,
    connectedChannelsEvicted: 0,
    channelsGone: 0,
    channelsExpired: 0,
    socketsOpened: 0,
    socketsKicked: 0,
    socketsDropped: 0,
    handshakesRefused: 0,
    heartbeatsSent: 0,
    pingsAnswered: 0,
    eventsPublished: 0,
    framesPublished: 0,
    firehoseFrames: 0,
  };
}

/** Why a channel left the registry. */
export type RemovalReason = 'expired' | 'evicted' | 'token-revoked' | 'gone';
