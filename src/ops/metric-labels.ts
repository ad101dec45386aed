/**
 * The bounded label values of the daemon's metrics, listed so that every labelled series exists
 * (at 0) from the first scrape: an alert on `rate(x{reason="y"}[5m])` cannot fire on a series that
 * is absent until its first event. Lists typed as `Record<Union, true>` make the compiler name a
 * value added to the union but missing here.
 */
import type { CrmOutcome } from '../crm/index.js';
import type { CrmCallResult } from '../crm/fetcher.js';
import { CALL_FAMILIES, GENESYS_CALLS } from '../genesys/calls.js';
import type { AuditEvent } from '../sinks/audit.js';
import type { ChannelState } from '../stream/channel.js';
import type { Frame } from '../stream/frames.js';

const keys = <K extends string>(record: Record<K, true>): readonly K[] => Object.keys(record) as K[];

/** Where a conversation was first noticed. */
export const SOURCES = ['live', 'backfill'] as const;

/** How a CRM lookup was answered. */
export const CRM_OUTCOMES = keys<CrmOutcome>({ hit: true, miss: true, stale: true, timeout: true, error: true });

/**
 * CRM calls by result and reason (`ok` for an answer). Failures named after a status
 * (`http-503`) are open-ended and appear when first seen.
 */
export const CRM_CALL_REASONS = {
  answered: ['ok'],
  failed: ['timeout', 'network', 'http-500', 'http-503'],
  'bad-answer': ['bad-response', 'too-large'],
} as const satisfies Record<CrmCallResult, readonly string[]>;

/** States of a notification channel. */
export const CHANNEL_STATES = keys<ChannelState>({ idle: true, connecting: true, open: true, rotating: true, backoff: true, stopped: true });

/** Kinds of frame a channel receives. */
export const FRAME_KINDS = keys<Frame['kind']>({
  heartbeat: true,
  pong: true,
  'socket-closing': true,
  'no-longer-subscribed': true,
  'token-revoked': true,
  'channel-gone': true,
  conversation: true,
  flow: true,
  unknown: true,
  malformed: true,
});

/** Pipeline stages timed by the latency histogram. */
export const LATENCY_STAGES = ['crm', 'write', 'total'] as const;

/** Why a channel reconnected (to `backoff`) or moved to a new socket (`rotating`). */
export const RECONNECT_REASONS = [
  'pong-timeout',
  'socket-closed',
  'connect-failed',
  'channel-gone',
  'channel-api-failed',
  'expiry',
  'socket-closing',
  'token-revoked',
  'token-renewed',
  're-subscribe-failed',
] as const;

/**
 * The reasons each audited decision can carry (`ok` for an enrichment without one). Failure
 * reasons built from a status code (`genesys-503`, `crm-http-500`) are open-ended: the common ones
 * are listed, others appear when they first happen.
 */
export const DECISION_REASONS = {
  enriched: ['ok', 'recovered'],
  skipped: [
    'already-enriched',
    'conversation-ended',
    'no-customer',
    'media-not-configured',
    'crm-not-found',
    'no-lookup-key',
    'invalid-lookup-key',
    'no-valid-fields',
  ],
  failed: [
    'schema-unavailable',
    'crm-timeout',
    'crm-circuit-open',
    'crm-network',
    'crm-bad-response',
    'crm-error',
    'genesys-network',
    'genesys-400',
    'genesys-403',
    'genesys-429',
    'genesys-500',
    'genesys-503',
    'write-outcome-unknown',
  ],
} as const satisfies Record<AuditEvent, readonly string[]>;

/** Genesys endpoint families a 429 can pause. */
export const PAUSE_FAMILIES = CALL_FAMILIES;

/** Every Genesys endpoint the daemon calls (the `endpoint` label of the calls counter). */
export const ENDPOINTS: readonly string[] = GENESYS_CALLS.map((c) => c.endpoint);

/**
 * Statuses created at 0 for every endpoint: the answers an alert watches for (429: the budget is
 * spent; `network`: no answer at all). Other statuses appear when they first happen.
 */
export const WATCHED_STATUSES = ['429', 'network'] as const;

/** Endpoint names of the calls that need a permission (the `call` label of permission denials). */
export const PERMISSION_CALLS: readonly string[] = GENESYS_CALLS.filter((c) => 'permission' in c).map((c) => c.endpoint);
