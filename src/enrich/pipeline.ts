/**
 * The enrichment pipeline: snapshot -> detect -> claim -> (bounded queue) -> CRM -> map ->
 * validate against the flow schema -> one PATCH with the marker -> audit line -> webhook.
 * Every decision about a conversation ends in exactly one audit line; nothing invalid is written.
 */
import { randomUUID } from 'node:crypto';
import type { CrmContext, CrmOutcome, CrmResult } from '../crm/types.js';
import { GenesysApiError } from '../genesys/errors.js';
import type { Logger } from '../log.js';
import type { CompiledSchema } from '../schema/compile.js';
import type { SigningKeys } from '../signing.js';
import { hashAttributes, type AuditLine, type AuditSink } from '../sinks/audit.js';
import type { WebhookEvent } from '../sinks/webhook.js';
import { ClaimSet } from './claims.js';
import { auditCrmWord } from './crm-word.js';
import { detect, type DetectOptions } from './detect.js';
import { resolveIdentity, type IdentitySources } from './identity.js';
import { LatencyStats } from './latency-stats.js';
import { attributeKey, mapRecord } from './map.js';
import { markerValue, markerVerifier, type MarkerVerifier } from './marker.js';
import { toConversationView, type MediaType, type ParticipantView } from './snapshot.js';
import { WorkQueue } from './work-queue.js';
import { afterWriteError, classifyWriteError, judgeReadBack, needsReadBack, type ReadBack } from './write-outcome.js';

/** Where a snapshot came from. */
export type Source = 'live' | 'backfill';

export interface EnricherOptions {
  readonly detect: DetectOptions;
  /** Where the lookup keys come from, per medium. */
  readonly identity: IdentitySources;
  readonly map: Readonly<Record<string, string>>;
  readonly prefix: string;
  readonly queueSize: number;
  /** Conversations worked on at once (CRM lookups and writes in flight). */
  readonly concurrency: number;
  /** Wait before the second try after a transient failure (CRM down, Genesys 5xx); doubles per try. */
  readonly retryDelayMs: number;
  /** Tries per conversation before it is audited as failed. */
  readonly maxAttempts: number;
  /**
   * After giving up, how long a conversation rests before a later snapshot may start over, and
   * before the pipeline itself looks at it again (see {@link MAX_ROUNDS}).
   */
  readonly retryAfterMs: number;
  /** Conversations remembered for dedupe. */
  readonly claimsMax: number;
  /** Keys that sign the marker and the audit hashes. */
  readonly signing: SigningKeys;
}

/** Extra wait past another instance's lease before looking at its conversation again. */
const SHARED_RETRY_MARGIN_MS = 1_000;

/** Longest wait between two tries of one conversation. */
const MAX_RETRY_DELAY_MS = 60_000;

/**
 * Rounds of tries per conversation job chain: after a round's tries are used up on transient
 * failures with nothing written, the pipeline reads the conversation again after `retryAfterMs` and,
 * if it is still live and unsettled, starts the next round. Nothing changes in a conversation once
 * its agent is connected, so waiting for a new snapshot would lose it; the bound keeps a CRM that
 * stays down from costing a GET per conversation for ever.
 */
export const MAX_ROUNDS = 5;

/**
 * How long one try may wait, in all, for the CRM breaker to let a lookup through. A refusal by an
 * open breaker costs no CRM call and says nothing about this customer, so it does not use up a try
 * while the breaker opens for a bounded time (default 30 s); past this the refusals count as failures.
 */
export const MAX_BREAKER_WAIT_MS = 120_000;

/** Shortest pause between two asks of an open breaker (a `retryDelayMs` of 0 must not spin). */
const MIN_BREAKER_POLL_MS = 100;

export const ENRICHER_DEFAULTS = { concurrency: 32, claimsMax: 100_000 } as const;

export interface EnricherDeps {
  readonly writer: {
    patchParticipantAttributes(conversationId: string, participantId: string, attributes: Readonly<Record<string, string>>): Promise<{ correlationId?: string }>;
  };
  /**
   * Reads a conversation back after a write of unknown outcome (did our marker land?) or a refused
   * one (has the conversation ended?). Absent: no read-back; an unknown outcome is simply retried.
   */
  readonly reader?: { getConversation(conversationId: string): Promise<unknown> };
  readonly crm: { lookup(ctx: CrmContext): Promise<CrmResult> };
  readonly schemas: { current(): CompiledSchema | undefined };
  readonly audit: AuditSink;
  readonly webhook?: { post(event: WebhookEvent): void };
  /** Told what happens as it happens (the ops layer turns these into metrics). */
  readonly events?: EnricherEvents;
  readonly logger: Logger;
  /** Told about every audited decision (the sandbox command prints them). */
  readonly onDecision?: (line: AuditLine) => void;
  /**
   * Whether the trail already holds the `enriched` line of this trace id. A conversation seen (by
   * the live feed or the backfill, whichever comes first) with our marker but no such line was
   * written just before a crash: its line is recovered once (event `enriched`, reason `recovered`),
   * so the trail stays one line per write.
   */
  readonly isAudited?: (traceId: string) => boolean;
  /**
   * Shadow mode (`run --dry-run`): everything as usual up to the PATCH, which is not sent; the
   * decision is audited as `would-enrich` with the hashed attributes and no webhook event.
   */
  readonly dryRun?: boolean;
  /**
   * Claims shared with the other instances of a cluster (src/cluster/coordinator.ts). Absent: one
   * instance, the local claims decide alone. Present: a conversation is worked on only under the
   * cluster's claim, the lease is confirmed right before the PATCH, and the decision is recorded
   * as done for every instance.
   */
  readonly shared?: SharedClaims;
}

/** A claim held in the cluster, renewed in the background while the job lives. */
export interface SharedLease {
  /** Right before a write: true when the claim is still (or again) ours; waits while the cluster store is away. */
  confirm(): Promise<boolean>;
  /** The conversation is decided: no instance works on it again. */
  finish(): Promise<void>;
  /** Gives the claim up without a decision. */
  abandon(): Promise<void>;
}

/** The cluster's claims as the pipeline needs them. */
export interface SharedClaims {
  /** Waits while the cluster store is unreachable (nobody writes without a claim). */
  /**
   * `seenAt`: epoch ms the snapshot was seen. `recheck`: the claim may have lapsed since then (the
   * cluster store was away): the snapshot may be stale, read the conversation again.
   */
  acquire(conversationId: string, seenAt: number): Promise<
    | { readonly kind: 'mine'; readonly lease: SharedLease; readonly recheck: boolean }
    | { readonly kind: 'done' }
    | { readonly kind: 'held'; readonly retryAfterMs: number }
    | { readonly kind: 'stopped' }
  >;
}

/**
 * What the pipeline reports as it works, for the ops layer to count; the pipeline itself knows
 * nothing of metrics. Every hook is optional and called synchronously: it must not throw.
 */
export interface EnricherEvents {
  /** A conversation was claimed for the first time (found live or by the catch-up). */
  seen?(source: Source): void;
  /** A conversation was turned away because the work queue was full. */
  rejected?(): void;
  /** A CRM lookup was answered. */
  crmLookup?(outcome: CrmOutcome): void;
  /** A decision was audited; `sinceArrivalMs`: from the conversation's arrival to now. */
  decided?(line: AuditLine, sinceArrivalMs: number): void;
}

interface Job {
  readonly conversationId: string;
  readonly queueId: string;
  readonly media: MediaType;
  readonly target: ParticipantView;
  readonly customer: ParticipantView;
  readonly receivedAt: number;
  readonly source: Source;
  readonly correlationId: string | undefined;
  /** 1 for the first try. */
  readonly attempt: number;
  /** Drawn once per conversation job: every try and every write of this job carries it. */
  readonly traceId: string;
  /** Set once a PATCH was sent: later tries send exactly this again (same values, same marker). */
  readonly planned?: PlannedWrite;
  /** PATCHes sent so far (the `attempts` of the audit line once a write was made). */
  readonly writes?: number;
  /** Set when the target carried a marker that does not verify (treated as absent). */
  readonly markerFound?: 'forged';
  /**
   * The last PATCH's outcome is unknown: read the conversation back before anything else. Done
   * at the next try rather than at once, so that a slow PATCH still in flight has had the retry
   * delay to land (an immediate read races it and would send a second PATCH for nothing).
   */
  readonly readBackFirst?: boolean;
  /** Tries are used up: this try only reads back, then audits the result. */
  readonly lastCheck?: boolean;
  /** The cluster's claim (cluster mode), taken at the first try and kept across retries. */
  readonly lease?: SharedLease;
  /** Another instance held the claim when this job asked: if it now gets it, the holder may have written and died. */
  readonly contested?: boolean;
  /** 1 for the first round of tries (see {@link MAX_ROUNDS}). */
  readonly round: number;
  /** Time this try has waited for an open CRM breaker so far. */
  readonly breakerWaitMs?: number;
}

/** A write decided on: what a retry repeats instead of asking the CRM again. */
interface PlannedWrite {
  readonly attributes: Readonly<Record<string, string>>;
  /** Audit fields of the decision (crm outcome, schema version, dropped fields). */
  readonly audit: Pick<AuditLine, 'crm' | 'schemaVersion' | 'dropped' | 'markerFound' | 'keySources'>;
  readonly crmMs: number | undefined;
}

/** Counts for the run summary. */
export interface EnricherSummary {
  seen: number;
  enriched: number;
  skipped: number;
  failed: number;
  /** Dry run: writes that would have been made. */
  wouldEnrich: number;
  latency: LatencyStats;
}

export class Enricher {
  readonly claims: ClaimSet;
  readonly summary: EnricherSummary = { seen: 0, enriched: 0, skipped: 0, failed: 0, wouldEnrich: 0, latency: new LatencyStats() };
  private readonly queue: WorkQueue<Job>;
  private opts: EnricherOptions;
  private fullWarnedAt = 0;
  /** Jobs waiting to be tried again, with their timers (cleared by drain). */
  private readonly retries = new Map<Job, NodeJS.Timeout>();
  /** Timers of the next round's look at given-up conversations (cleared by drain). */
  private readonly rounds = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(opts: EnricherOptions, private readonly deps: EnricherDeps) {
    this.opts = withVerifier(opts);
    this.claims = new ClaimSet(opts.claimsMax);
    this.queue = new WorkQueue(opts.queueSize, opts.concurrency, (job) => this.work(job));
  }

  /** Applies new settings (a config reload) to conversations from now on. */
  reconfigure(opts: Partial<Pick<EnricherOptions, 'detect' | 'identity' | 'map' | 'prefix' | 'retryDelayMs' | 'maxAttempts' | 'retryAfterMs' | 'signing'>>): void {
    this.opts = withVerifier({ ...this.opts, ...opts });
  }

  /** Conversations waiting for a worker. */
  get depth(): number {
    return this.queue.depth;
  }

  /**
   * Looks at one snapshot (a frame body or a conversation fetched by the backfill). Cheap for
   * the common case of a repeat: one map lookup by conversation id.
   */
  offer(body: unknown, mediaHint: MediaType | undefined, source: Source, correlationId?: string, receivedAt: number = performance.now()): void {
    this.consider(body, mediaHint, source, correlationId, receivedAt, 1);
  }

  /** {@link offer} for a given round (a later round comes from the pipeline's own look). */
  private consider(body: unknown, mediaHint: MediaType | undefined, source: Source, correlationId: string | undefined, receivedAt: number, round: number): void {
    if (this.stopped) return;
    const id = (body as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || this.claims.settled(id)) return;
    const view = toConversationView(body, mediaHint);
    if (!view) return;
    const decision = detect(view, this.opts.detect);
    if (decision.kind === 'wait') return;
    if (!this.claims.claim(view.id)) return;
    this.summary.seen++;
    this.deps.events?.seen?.(source);
    if (decision.kind === 'skip') {
      this.claims.done(view.id);
      // Any source: after a restart the live feed often shows such a conversation before the
      // catch-up does (any change resends it), and once settled here the catch-up skips it.
      if (decision.reason === 'already-enriched' && this.recover(view.participants.find((p) => p.id === decision.participantId), decision, source, correlationId)) return;
      this.record({
        event: 'skipped',
        reason: decision.reason,
        conversationId: decision.conversationId,
        ...(decision.participantId !== undefined && { participantId: decision.participantId }),
        ...(decision.queueId !== undefined && { queueId: decision.queueId }),
        traceId: randomUUID(),
        latencyMs: { total: 0 },
        source,
        ...(correlationId !== undefined && { correlationId }),
      }, receivedAt);
      return;
    }
    const job: Job = { ...decision, receivedAt, source, correlationId, attempt: 1, traceId: randomUUID(), round };
    if (!this.queue.offer(job)) {
      // Unclaimed again: the next snapshot or the backfill brings it back.
      this.claims.release(view.id);
      this.summary.seen--;
      this.deps.events?.rejected?.();
      const now = Date.now();
      if (now - this.fullWarnedAt > 10_000) {
        this.fullWarnedAt = now;
        this.deps.logger.warn('work queue full; conversations wait for the next snapshot or backfill', { queueSize: this.opts.queueSize });
      }
    }
  }

  /** Writes the missing `enriched` line of a pre-crash write; true when it did. */
  private recover(target: ParticipantView | undefined, decision: { conversationId: string; queueId?: string }, source: Source, correlationId: string | undefined): boolean {
    if (!target) return false;
    // Only a marker that verifies is ours: a forged one never becomes a `recovered` line.
    const marker = this.verify()(decision.conversationId, target.attributes[this.opts.detect.markerKey]);
    if (marker.kind !== 'valid' || !this.deps.isAudited || this.deps.isAudited(marker.traceId)) return false;
    const { traceId } = marker;
    const ours = new Set([this.opts.detect.markerKey, ...Object.keys(this.opts.map).map((input) => attributeKey(input, this.opts.prefix))]);
    const written: Record<string, string> = {};
    for (const [key, value] of Object.entries(target.attributes)) if (ours.has(key)) written[key] = value;
    this.record(
      {
        event: 'enriched',
        reason: 'recovered',
        conversationId: decision.conversationId,
        participantId: target.id,
        ...(decision.queueId !== undefined && { queueId: decision.queueId }),
        traceId,
        attributes: hashAttributes(written, this.opts.signing.audit),
        latencyMs: { total: 0 },
        source,
        ...(correlationId !== undefined && { correlationId }),
      },
      performance.now(),
    );
    return true;
  }

  /** Stops taking work, lets in-flight enrichments finish up to `timeoutMs`, releases the rest. */
  async drain(timeoutMs: number): Promise<{ unfinished: number; notStarted: number }> {
    this.stopped = true;
    const left = this.queue.stop();
    for (const timer of this.rounds) clearTimeout(timer);
    this.rounds.clear();
    for (const [job, timer] of this.retries) {
      clearTimeout(timer);
      left.push(job);
    }
    this.retries.clear();
    for (const job of left) {
      this.claims.release(job.conversationId);
      this.endLease(job, 'abandon');
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.queue.whenIdle(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return { unfinished: this.queue.inFlight, notStarted: left.length };
  }

  private async work(queued: Job): Promise<void> {
    const job = await this.withSharedClaim(queued);
    if (!job) return;
    const { traceId } = job;
    const base = {
      conversationId: job.conversationId,
      participantId: job.target.id,
      queueId: job.queueId,
      media: job.media,
      traceId,
      source: job.source,
      ...(job.correlationId !== undefined && { correlationId: job.correlationId }),
    };
    // A write already sent (its outcome unknown) is repeated as it was: same values, same marker.
    if (job.planned) {
      if (job.readBackFirst === true && (await this.confirmed(job, job.planned, base))) return;
      await this.write(job, job.planned, base);
      return;
    }
    const schema = this.deps.schemas.current();
    if (!schema) {
      this.fail(job, { ...base, event: 'failed', reason: 'schema-unavailable', latencyMs: { total: this.since(job) } });
      return;
    }
    const crmStart = performance.now();
    const identity = resolveIdentity(job.customer, job.media, this.opts.identity[job.media]);
    const crm = await this.deps.crm.lookup({
      ...identity.keys,
      conversationId: job.conversationId,
      queueId: job.queueId,
      attributes: job.customer.attributes,
    });
    this.deps.events?.crmLookup?.(crm.outcome);
    if (crm.error === 'circuit-open' && this.waitForBreaker(job)) return;
    const crmMs = round(performance.now() - crmStart);
    const forged = job.markerFound !== undefined ? { markerFound: job.markerFound } : {};
    // Which source gave each key (names only: the trail never holds a lookup value).
    const keySources = Object.keys(identity.keySources).length > 0 ? { keySources: identity.keySources } : {};
    const withCrm = { ...base, ...forged, crm: auditCrmWord(crm.outcome, crm.found), schemaVersion: schema.versionId, ...keySources };
    if (!crm.found) {
      if (crm.error === 'no-lookup-key' || crm.error === 'invalid-lookup-key') {
        this.settle(job, {
          ...withCrm,
          event: 'skipped',
          reason: crm.error,
          sourcesTried: identity.tried,
          ...(crm.placeholder !== undefined && { placeholder: crm.placeholder }),
          latencyMs: { crm: crmMs, total: this.since(job) },
        });
      } else if (crm.outcome === 'timeout' || crm.outcome === 'error') {
        this.fail(job, { ...withCrm, event: 'failed', reason: `crm-${crm.error ?? crm.outcome}`, latencyMs: { crm: crmMs, total: this.since(job) } });
      } else {
        this.settle(job, { ...withCrm, event: 'skipped', reason: 'crm-not-found', latencyMs: { crm: crmMs, total: this.since(job) } });
      }
      return;
    }
    const { values, dropped } = schema.coerce(mapRecord(crm.record, this.opts.map));
    const attributes: Record<string, string> = {};
    for (const [input, value] of Object.entries(values)) attributes[attributeKey(input, this.opts.prefix)] = value;
    const droppedField = dropped.length > 0 ? { dropped } : {};
    if (Object.keys(attributes).length === 0) {
      this.settle(job, { ...withCrm, ...droppedField, event: 'skipped', reason: 'no-valid-fields', latencyMs: { crm: crmMs, total: this.since(job) } });
      return;
    }
    this.blankStaleKeys(attributes, job.target, schema);
    attributes[this.markerKey()] = markerValue(this.opts.signing.marker, job.conversationId, traceId);
    const planned: PlannedWrite = { attributes, audit: { ...forged, ...droppedField, ...keySources, crm: auditCrmWord(crm.outcome, crm.found), schemaVersion: schema.versionId }, crmMs };
    await this.write(job, planned, base);
  }

  /**
   * Keys we own (the map's and the schema's inputs under the prefix) that the target already
   * carries but this write does not set are written empty: values someone else put there (a forged
   * `crm.tier: gold`, say) must not survive beside ours. PATCH merges, so "empty" is the only erase.
   */
  private blankStaleKeys(attributes: Record<string, string>, target: ParticipantView, schema: CompiledSchema): void {
    const inputs = new Set([...Object.keys(this.opts.map), ...schema.fields.keys()]);
    for (const input of inputs) {
      const key = attributeKey(input, this.opts.prefix);
      if (!Object.hasOwn(attributes, key) && Object.hasOwn(target.attributes, key) && target.attributes[key] !== '') attributes[key] = '';
    }
  }

  /**
   * Cluster mode: takes the cluster's claim before any work (or keeps the one a retry carries).
   * Undefined when this instance must not work on the conversation now: another decided it
   * (settled here too), holds it (asked again once its lease could have run out: if the holder
   * died, this instance takes over), or the pipeline stops.
   */
  private async withSharedClaim(job: Job): Promise<Job | undefined> {
    const shared = this.deps.shared;
    if (!shared || job.lease) return job;
    const seenAt = Date.now() - (performance.now() - job.receivedAt);
    const got = await shared.acquire(job.conversationId, seenAt);
    if (got.kind === 'held') {
      this.later({ ...job, contested: true }, got.retryAfterMs + SHARED_RETRY_MARGIN_MS);
      return undefined;
    }
    if (got.kind === 'mine') {
      const mine: Job = { ...job, lease: got.lease };
      if (!got.recheck && job.contested !== true) return mine;
      // A holder that died (or a claim that lapsed while the store was away) may have written
      // already: only a fresh look at the conversation tells. Our marker there settles it.
      const fresh = await this.freshLook(mine);
      if (fresh === 'go') return mine;
      if (fresh === 'retry') {
        got.lease.abandon().catch(() => undefined);
        this.later({ ...job, contested: true }, this.opts.retryDelayMs);
        return undefined;
      }
      this.summary.seen--;
      this.claims.done(job.conversationId);
      this.endLease(mine, 'finish');
      this.deps.logger.debug('taken-over conversation was already decided', { conversationId: job.conversationId, found: fresh });
      return undefined;
    }
    // Another instance's decision, or a stop: no audit line here (the holder writes its own).
    this.summary.seen--;
    if (got.kind === 'done') this.claims.done(job.conversationId);
    else this.claims.release(job.conversationId);
    return undefined;
  }

  /**
   * Reads a taken-over conversation: `already-enriched` (a valid marker is there), `retry` (no
   * answer), else `go` (the usual path decides, an ended conversation included).
   */
  private async freshLook(job: Job): Promise<'go' | 'retry' | 'already-enriched'> {
    const reader = this.deps.reader;
    if (!reader) return 'go';
    let body: unknown;
    try {
      body = await reader.getConversation(job.conversationId);
    } catch (err) {
      return err instanceof GenesysApiError && err.status === 404 ? 'go' : 'retry';
    }
    const view = toConversationView(body, job.media);
    if (!view) return 'go';
    const decision = detect(view, this.opts.detect);
    return decision.kind === 'skip' && decision.reason === 'already-enriched' ? 'already-enriched' : 'go';
  }

  /** Sends the planned PATCH once and turns its answer (or its failure) into the job's next step. */
  private async write(job: Job, planned: PlannedWrite, base: Omit<AuditLine, 'ts' | 'event' | 'latencyMs'>): Promise<void> {
    if (job.lease && !(await job.lease.confirm())) {
      // The lease ran out (this process stalled) and another instance holds it now: it writes.
      this.summary.seen--;
      this.claims.retryLater(job.conversationId, this.opts.retryAfterMs);
      this.deps.logger.warn('claim lost before the write; another instance took the conversation over', { conversationId: job.conversationId });
      return;
    }
    const writes = (job.writes ?? 0) + 1;
    const sent: Job = { ...job, planned, writes };
    const line = { ...base, ...planned.audit, attempts: writes };
    const latency = (writeStart: number) => ({ ...(planned.crmMs !== undefined && { crm: planned.crmMs }), write: round(performance.now() - writeStart), total: this.since(job) });
    const enriched = (writeStart: number, extra: Partial<AuditLine>): void => {
      this.settle(sent, { ...line, ...extra, event: 'enriched', attributes: hashAttributes(planned.attributes, this.opts.signing.audit), latencyMs: latency(writeStart) });
    };
    const writeStart = performance.now();
    if (this.deps.dryRun === true) {
      this.settle(sent, { ...line, event: 'would-enrich', attributes: hashAttributes(planned.attributes, this.opts.signing.audit), latencyMs: latency(writeStart) });
      return;
    }
    try {
      const { correlationId } = await this.deps.writer.patchParticipantAttributes(job.conversationId, job.target.id, planned.attributes);
      enriched(writeStart, correlationId !== undefined ? { correlationId } : {});
      return;
    } catch (err) {
      const failure = classifyWriteError(err);
      const corr = err instanceof GenesysApiError && err.correlationId !== undefined ? { correlationId: err.correlationId } : {};
      const code = err instanceof GenesysApiError ? `genesys-${err.status}` : 'genesys-network';
      // A refused write is decided now (ended or not); an unknown outcome is read back at the next try.
      const readBack = needsReadBack(failure) ? await this.readBack(job) : undefined;
      switch (afterWriteError(failure, readBack)) {
        case 'enriched':
          enriched(writeStart, { ...corr, writeConfirmedBy: 'read-back' });
          return;
        case 'ended':
          this.settle(sent, { ...line, ...corr, event: 'skipped', reason: 'conversation-ended', latencyMs: latency(writeStart) });
          return;
        case 'failed':
          // Refused and not ended: the same write would be refused again.
          this.settle(sent, { ...line, ...corr, event: 'failed', reason: code, latencyMs: latency(writeStart) });
          return;
        case 'retry': {
          const unknown = failure === 'unknown-outcome';
          const reason = unknown ? 'write-outcome-unknown' : code;
          this.fail({ ...sent, readBackFirst: unknown }, { ...line, ...corr, event: 'failed', reason, latencyMs: latency(writeStart) });
          return;
        }
      }
    }
  }

  /**
   * Before repeating a write of unknown outcome: reads the conversation back and settles the job
   * when that decides it (our marker landed, or the conversation ended). On the last check (tries
   * used up) it always settles: a `failed` line that says the outcome stayed unknown.
   */
  private async confirmed(job: Job, planned: PlannedWrite, base: Omit<AuditLine, 'ts' | 'event' | 'latencyMs'>): Promise<boolean> {
    const readBack = await this.readBack(job);
    const line = { ...base, ...planned.audit, attempts: job.writes ?? 0 };
    const latencyMs = { ...(planned.crmMs !== undefined && { crm: planned.crmMs }), total: this.since(job) };
    if (readBack === 'landed') {
      this.settle(job, { ...line, event: 'enriched', writeConfirmedBy: 'read-back', attributes: hashAttributes(planned.attributes, this.opts.signing.audit), latencyMs });
      return true;
    }
    if (readBack === 'ended') {
      this.settle(job, { ...line, event: 'skipped', reason: 'conversation-ended', latencyMs });
      return true;
    }
    if (job.lastCheck !== true) return false;
    this.claims.retryLater(job.conversationId, this.opts.retryAfterMs);
    this.endLease(job, 'abandon');
    this.record({ ...line, event: 'failed', reason: 'write-outcome-unknown', latencyMs }, job.receivedAt);
    return true;
  }

  /** One GET of the conversation after a failed write; `undefined` when it could not be read. */
  private async readBack(job: Job): Promise<ReadBack | undefined> {
    const reader = this.deps.reader;
    if (!reader) return undefined;
    try {
      const body = await reader.getConversation(job.conversationId);
      return judgeReadBack(body, job.target.id, job.traceId, this.markerKey(), this.verify());
    } catch (err) {
      this.deps.logger.debug('read-back after a failed write did not answer', { conversationId: job.conversationId, error: err instanceof Error ? err.message : 'unknown' });
      return undefined;
    }
  }

  /** The marker check (always set: see {@link withVerifier}). */
  private verify(): MarkerVerifier {
    return this.opts.detect.verifyMarker ?? markerVerifier(this.opts.signing.marker);
  }

  private markerKey(): string {
    return this.opts.detect.markerKey;
  }

  private settle(job: Job, line: Omit<AuditLine, 'ts'>): void {
    this.claims.done(job.conversationId);
    this.endLease(job, 'finish');
    this.record(line, job.receivedAt);
  }

  /** Ends the job's cluster claim, if any: `finish` records the decision, `abandon` frees it. */
  private endLease(job: Job, how: 'finish' | 'abandon'): void {
    const lease = job.lease;
    if (!lease) return;
    (how === 'finish' ? lease.finish() : lease.abandon()).catch((err: unknown) => {
      this.deps.logger.warn('could not end a cluster claim', { conversationId: job.conversationId, how, error: err instanceof Error ? err.message : 'unknown' });
    });
  }

  /**
   * A transient failure: try again after `retryDelayMs` (the claim stays, so snapshots meanwhile
   * are ignored); after `maxAttempts` tries, audit the failure and let the conversation rest.
   */
  private fail(job: Job, line: Omit<AuditLine, 'ts'>): void {
    if (job.attempt < this.opts.maxAttempts) {
      this.deps.logger.debug('enrichment failed; trying again', { conversationId: job.conversationId, reason: line.reason, attempt: job.attempt });
      this.schedule({ ...job, attempt: job.attempt + 1 });
      return;
    }
    if (job.readBackFirst === true && job.lastCheck !== true && this.deps.reader) {
      // Tries used up with the last outcome unknown: one more look, after the same delay, decides.
      this.schedule({ ...job, attempt: job.attempt + 1, lastCheck: true });
      return;
    }
    this.claims.retryLater(job.conversationId, this.opts.retryAfterMs);
    this.endLease(job, 'abandon');
    this.record({ ...line, attempts: job.writes ?? job.attempt }, job.receivedAt);
    this.planNextRound(job);
  }

  /**
   * The breaker refused the lookup: the same try goes again after `retryDelayMs` (the breaker
   * half-opens on its own clock), unless it has waited {@link MAX_BREAKER_WAIT_MS} already.
   */
  private waitForBreaker(job: Job): boolean {
    const waited = job.breakerWaitMs ?? 0;
    if (waited >= MAX_BREAKER_WAIT_MS) return false;
    const delayMs = Math.max(MIN_BREAKER_POLL_MS, this.opts.retryDelayMs);
    this.schedule({ ...job, breakerWaitMs: waited + delayMs }, delayMs);
    return true;
  }

  /**
   * Tries used up with nothing written: unless the rounds are used up too, read the conversation
   * again after the rest and start a fresh round if it is still live and nobody settled it meanwhile.
   */
  private planNextRound(job: Job): void {
    const reader = this.deps.reader;
    if (!reader || job.writes !== undefined || job.round >= MAX_ROUNDS) return;
    const timer = setTimeout(() => {
      this.rounds.delete(timer);
      if (this.stopped || this.claims.settled(job.conversationId)) return;
      reader.getConversation(job.conversationId).then(
        (body) => {
          this.consider(body, job.media, job.source, job.correlationId, performance.now(), job.round + 1);
        },
        (err: unknown) => {
          // Unreadable now: the backfill (periodic or after a gap) still brings it back.
          this.deps.logger.debug('look at a given-up conversation did not answer', { conversationId: job.conversationId, error: err instanceof Error ? err.message : 'unknown' });
        },
      );
    }, this.opts.retryAfterMs);
    this.rounds.add(timer);
  }

  /** Queues `next` after `delayMs` (default: the doubling delay of the try before it). */
  private schedule(next: Job, delayMs = Math.min(MAX_RETRY_DELAY_MS, this.opts.retryDelayMs * 2 ** (next.attempt - 2))): void {
    // Doubling delays: a CRM or API that is down for a while is asked less and less often.
    this.later(next, delayMs);
  }

  /** Queues `next` after `delayMs` (the claim stays, so snapshots meanwhile are ignored). */
  private later(next: Job, delayMs: number): void {
    const timer = setTimeout(() => {
      this.retries.delete(next);
      if (!this.queue.offer(next)) {
        this.claims.release(next.conversationId);
        this.endLease(next, 'abandon');
      }
    }, delayMs);
    this.retries.set(next, timer);
  }

  private record(partial: Omit<AuditLine, 'ts'>, receivedAt: number): void {
    const line: AuditLine = { ts: new Date().toISOString(), ...partial };
    this.deps.audit.write(line);
    if (line.event === 'would-enrich') this.summary.wouldEnrich++;
    else this.summary[line.event]++;
    if (line.event === 'enriched') {
      this.summary.latency.add(line.latencyMs.total);
    }
    this.deps.events?.decided?.(line, performance.now() - receivedAt);
    this.deps.onDecision?.(line);
    // A dry run tells nobody outside: the webhook's consumers would count writes never made.
    if (line.event !== 'would-enrich' && (line.event !== 'skipped' || line.reason !== 'already-enriched')) {
      this.deps.webhook?.post({
        ts: line.ts,
        event: line.event,
        conversationId: line.conversationId,
        traceId: line.traceId,
        latencyMs: line.latencyMs,
        ...(line.queueId !== undefined && { queueId: line.queueId }),
        ...(line.attributes !== undefined && { attributes: Object.keys(line.attributes) }),
        ...(line.crm !== undefined && { crm: line.crm }),
      });
    }
  }

  private since(job: Job): number {
    return round(performance.now() - job.receivedAt);
  }
}

/** Options whose detection always verifies markers (with the signing key unless given a verifier). */
function withVerifier(opts: EnricherOptions): EnricherOptions {
  if (opts.detect.verifyMarker !== undefined) return opts;
  return { ...opts, detect: { ...opts.detect, verifyMarker: markerVerifier(opts.signing.marker) } };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
