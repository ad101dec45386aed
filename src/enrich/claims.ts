/**
 * Which conversations this daemon has already decided about. Snapshots repeat (hold, mute,
 * attribute changes each resend the whole conversation) and channels overlap during rotation,
 * so every frame asks here first; this is the per-frame fast path. Bounded: an evicted
 * conversation that shows up again is still caught by the marker attribute in its snapshot.
 */
import { LRUCache } from 'lru-cache';

/** `pending`: queued or in flight. `done`: decided for good. `retry`: failed; may try again after `until`. */
export type ClaimState = { readonly kind: 'pending' } | { readonly kind: 'done' } | { readonly kind: 'retry'; readonly until: number };

const PENDING: ClaimState = { kind: 'pending' };
const DONE: ClaimState = { kind: 'done' };

export class ClaimSet {
  private readonly claims: LRUCache<string, ClaimState>;

  constructor(
    max: number,
    private readonly now: () => number = Date.now,
  ) {
    this.claims = new LRUCache({ max });
  }

  /** True when a snapshot of this conversation needs no further look. */
  settled(conversationId: string): boolean {
    const c = this.claims.peek(conversationId);
    if (!c) return false;
    return c.kind !== 'retry' || c.until > this.now();
  }

  /** Takes the conversation for enrichment; false if someone already has it. */
  claim(conversationId: string): boolean {
    if (this.settled(conversationId)) return false;
    this.claims.set(conversationId, PENDING);
    return true;
  }

  /** The decision is final (enriched or skipped). */
  done(conversationId: string): void {
    this.claims.set(conversationId, DONE);
  }

  /** The attempt failed; a later snapshot or backfill may try again after `afterMs`. */
  retryLater(conversationId: string, afterMs: number): void {
    this.claims.set(conversationId, { kind: 'retry', until: this.now() + afterMs });
  }

  /** Forgets a claim (the work was never started, e.g. the queue was full). */
  release(conversationId: string): void {
    this.claims.delete(conversationId);
  }

  get size(): number {
    return this.claims.size;
  }
}
