/**
 * What a failed attribute PATCH means, and what to do about it (pure, table-tested).
 *
 * A PATCH that timed out, lost its connection or got a gateway 5xx may or may not have landed:
 * its outcome is unknown. Before its next try the pipeline reads the conversation back: our own
 * verified marker with this job's trace id means the write landed (enriched); an ended
 * conversation means there is nothing left to enrich; otherwise the *same* write (same trace id,
 * same values) is sent again. A 404 or 400 is a conversation-ended skip only when the read-back shows the
 * conversation ended (Genesys answers GET 200 for ended ones); otherwise it is a permanent failure.
 */
import { GenesysApiError, GenesysNetworkError } from '../genesys/errors.js';
import type { MarkerVerifier } from './marker.js';
import { isTerminalState, toConversationView } from './snapshot.js';

/** How a PATCH failed. */
export type WriteFailure =
  /** No answer, 408 or 5xx: it may have landed. */
  | 'unknown-outcome'
  /** 404 or 400: refused; an ended conversation answers so (unsure which: handle both). */
  | 'refused'
  /** Anything else (429 beyond the caller's patience, 401/403, other 4xx): not applied; try again later. */
  | 'not-applied';

/** Classifies the error a PATCH threw. */
export function classifyWriteError(error: unknown): WriteFailure {
  if (error instanceof GenesysNetworkError) return 'unknown-outcome';
  if (error instanceof GenesysApiError) {
    if (error.status === 404 || error.status === 400) return 'refused';
    if (error.status === 408 || error.status >= 500) return 'unknown-outcome';
    return 'not-applied';
  }
  return 'unknown-outcome';
}

/** What a read-back of the conversation showed. */
export type ReadBack = 'landed' | 'ended' | 'absent' | 'unreadable';

/**
 * Judges a conversation read back after a failed write: `landed` when the target carries our
 * verified marker with `traceId` (checked first: an enriched conversation that has since ended is
 * enriched), `ended` when the conversation has an `endTime` or the target's leg has ended.
 */
export function judgeReadBack(body: unknown, participantId: string, traceId: string, markerKey: string, verify: MarkerVerifier): ReadBack {
  const view = toConversationView(body);
  const target = view?.participants.find((p) => p.id === participantId);
  if (!view || !target) return 'unreadable';
  const marker = verify(view.id, target.attributes[markerKey]);
  if (marker.kind === 'valid' && marker.traceId === traceId) return 'landed';
  const endTime = (body as { endTime?: unknown }).endTime;
  if ((typeof endTime === 'string' && endTime !== '') || target.endTime !== undefined || isTerminalState(target.state)) return 'ended';
  return 'absent';
}

/** The pipeline's next step after a failed write (and its read-back, when one was made). */
export type AfterWriteError = 'enriched' | 'ended' | 'retry' | 'failed';

/**
 * Whether to read back at once: a refused write must be told apart from an ended conversation
 * now. An unknown outcome is read back at the next try instead (see the pipeline).
 */
export function needsReadBack(failure: WriteFailure): boolean {
  return failure === 'refused';
}

/** Decides from the failure and the read-back (`undefined`: none was made or it failed). */
export function afterWriteError(failure: WriteFailure, readBack: ReadBack | undefined): AfterWriteError {
  if (readBack === 'landed') return 'enriched';
  if (readBack === 'ended') return 'ended';
  if (failure === 'refused') return 'failed';
  return 'retry';
}
