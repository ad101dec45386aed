/**
 * The observer layer: what the caller tells the rest of the daemon. Metrics come as events
 * through a {@link CallObserver} (the composition root turns them into counters); operators get
 * log lines for pauses and refused permissions; refusals stay listed until the endpoint answers.
 */
import type { Logger } from '../log.js';
import { missingPermission } from './calls.js';
import { DenialBoard, type DeniedCall } from './denials.js';
import { GenesysApiError, type GenesysError } from './errors.js';
import type { PauseDecision } from './pauses.js';

/** What the caller reports (for metrics). */
export interface CallObserver {
  /** One attempt ended: its HTTP status, or `network` when no answer came; `ms` from its turn. */
  onAttempt?(endpoint: string, outcome: number | 'network', ms: number): void;
  /** A 429 will be retried after `retryAfterMs` (Retry-After, or a backoff when it had none). */
  onRateLimited?(endpoint: string, retryAfterMs: number): void;
  /** A 429 started or extended a pause. */
  onPaused?(endpoint: string, decision: PauseDecision): void;
  /** Genesys refused a call with 403 (`permission` as Genesys or the call table names it). */
  onPermissionDenied?(endpoint: string, permission: string): void;
}

/** A warning line per endpoint at most this often for repeated 403s. */
const DENIAL_LOG_EVERY_MS = 60_000;

/** Reports each attempt and what followed it. */
export class CallEvents {
  private readonly denials = new DenialBoard(DENIAL_LOG_EVERY_MS);

  constructor(
    private readonly logger: Logger,
    private readonly observer: CallObserver = {},
  ) {}

  /** An attempt answered with a success status. */
  answered(endpoint: string, status: number, ms: number): void {
    this.observer.onAttempt?.(endpoint, status, ms);
    this.denials.succeeded(endpoint);
  }

  /** An attempt failed; a 403 is warned (rate-limited per endpoint), counted and listed. */
  failed(endpoint: string, error: GenesysError, ms: number): void {
    this.observer.onAttempt?.(endpoint, error instanceof GenesysApiError ? error.status : 'network', ms);
    if (error instanceof GenesysApiError && error.status === 403) this.denied(endpoint, error);
  }

  /** The call goes again after `delayMs`. */
  retrying(endpoint: string, attempt: number, delayMs: number, error: GenesysError): void {
    this.logger.debug('retrying Genesys call', { endpoint, attempt, delayMs, code: error.code });
  }

  /** A 429 asked for `retryAfterMs` and started (or extended) a pause; warned, since a pause delays enrichments. */
  paused(endpoint: string, retryAfterMs: number, decision: PauseDecision): void {
    this.observer.onRateLimited?.(endpoint, retryAfterMs);
    const fields = { endpoint, family: decision.family, pauseMs: decision.pauseMs, scope: decision.all ? 'all' : 'family' };
    if (decision.capped) {
      this.logger.warn('Genesys asked for a longer pause than the cap allows: pausing for the cap', { ...fields, retryAfterMs: decision.requestedMs });
    } else {
      this.logger.warn(decision.all ? 'Genesys rate limit on several endpoint families: pausing every call' : 'Genesys rate limit: pausing this endpoint family', fields);
    }
    this.observer.onPaused?.(endpoint, decision);
  }

  /** Endpoints refused with 403 since they last succeeded. */
  deniedCalls(): DeniedCall[] {
    return this.denials.list();
  }

  /** A 403: the OAuth client lacks a permission. */
  private denied(endpoint: string, error: GenesysApiError): void {
    const permission = missingPermission(endpoint, error.message);
    this.observer.onPermissionDenied?.(endpoint, permission);
    const line = this.denials.refused(endpoint, permission);
    if (line === undefined) return;
    this.logger.warn('Genesys refused a call: the OAuth client lacks a permission', {
      call: line.endpoint,
      permission: line.permission,
      refused: line.refused,
      ...(error.correlationId !== undefined && { correlationId: error.correlationId }),
    });
  }
}
