/**
 * Catching up after a gap. Notification channels replay nothing, so whenever a channel may have
 * missed frames (start-up, reconnect, rotation) and periodically as a safety net, the backfill asks
 * the activity query for the live conversations of the watched queues and feeds each one the
 * daemon has not settled through the same detection and pipeline, at a lower priority than live
 * work. In steady state every live conversation is settled, so it costs one query and no GETs.
 */
import type { ActivityEntity, GenesysClient } from '../genesys/client.js';
import type { Logger } from '../log.js';
import type { Trigger } from './detect.js';
import type { Enricher } from './pipeline.js';

/** Conversations fetched at once by one run. */
const BACKFILL_CONCURRENCY = 8;

export interface BackfillOptions {
  readonly queueIds: readonly string[];
  readonly trigger: Trigger;
  /** Periodic run; 0 disables it (gaps still trigger runs). */
  readonly intervalMs: number;
  /** Gaps reported within this time are served by one run. */
  readonly debounceMs: number;
}

export interface BackfillDeps {
  readonly api: Pick<GenesysClient, 'activeConversations' | 'getConversation'>;
  readonly enricher: Pick<Enricher, 'offer' | 'claims'>;
  readonly logger: Logger;
  /** Told of each conversation the catch-up fetched (the ops layer counts them). */
  readonly events?: { fetched?(): void };
}

/**
 * Which live entities are worth a GET: unsettled ones whose state can trigger now (pure). Newest
 * first (latest `activityDate`; entities without one keep their order, after dated ones): the
 * customer who connected last has the most call left to profit from the enrichment, and the
 * oldest may well be gone before its turn comes.
 */
export function entitiesToFetch(entities: readonly ActivityEntity[], trigger: Trigger, settled: (id: string) => boolean): string[] {
  const wanted = new Set<string>();
  const byDate = entities.map((e, i) => ({ e, i, at: activityTime(e) }));
  // Equal times (or two undated ones: -Infinity - -Infinity is NaN) keep the answer's order.
  byDate.sort((a, b) => b.at - a.at || a.i - b.i);
  for (const { e } of byDate) {
    // With agent-connected, a waiting conversation cannot trigger yet; the live feed (or the next
    // run) will bring it once an agent answers. Fetching it now would cost a call for nothing.
    if (trigger === 'agent-connected' && e.metric === 'oWaiting') continue;
    if (!settled(e.conversationId)) wanted.add(e.conversationId);
  }
  return [...wanted];
}

/** The entity's activity time in ms; -Infinity when absent or unreadable (sorts last). */
function activityTime(e: ActivityEntity): number {
  const t = e.activityDate === undefined ? Number.NaN : Date.parse(e.activityDate);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

export class Backfiller {
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private opts: BackfillOptions;
  /** Completed runs (for tests and metrics). */
  runs = 0;
  fetched = 0;

  constructor(opts: BackfillOptions, private readonly deps: BackfillDeps) {
    this.opts = opts;
  }

  start(): void {
    this.schedulePeriodic();
  }

  /** Applies new queues or interval (config reload). */
  reconfigure(opts: BackfillOptions): void {
    this.opts = opts;
    this.schedulePeriodic();
  }

  /** Asks for a run soon (coalescing bursts of gap reports). */
  request(reason: string): void {
    if (this.stopped) return;
    this.deps.logger.debug('backfill requested', { reason });
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.runNow();
    }, this.opts.debounceMs);
    this.debounce.unref();
  }

  /** Runs once now (or once more after the current run); resolves when done. */
  runNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    await this.running;
  }

  private async loop(): Promise<void> {
    for (;;) {
      this.again = false;
      try {
        await this.once();
      } catch (err) {
        this.deps.logger.warn('backfill failed; the next gap or period retries', { error: err instanceof Error ? err.message : 'unknown' });
      }
      if (!this.shouldRunAgain()) return;
    }
  }

  /** A request arrived during the run (read through a method: it changes while we await). */
  private shouldRunAgain(): boolean {
    return this.again && !this.stopped;
  }

  private async once(): Promise<void> {
    const entities = await this.liveEntities();
    const ids = entitiesToFetch(entities, this.opts.trigger, (id) => this.deps.enricher.claims.settled(id));
    // A few fetches at a time: after a restart there may be many, and each one's conversation is
    // live and waiting; the limiter still keeps them behind live writes and inside the budget.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length && !this.isStopped()) {
        const id = ids[next++] ?? '';
        // Re-check: the live feed may have settled it while we were fetching others.
        if (this.deps.enricher.claims.settled(id)) continue;
        await this.fetchAndOffer(id);
      }
    };
    await Promise.all(Array.from({ length: Math.min(BACKFILL_CONCURRENCY, ids.length) }, worker));
    this.runs++;
    if (ids.length > 0) this.deps.logger.info('backfill fed conversations', { live: entities.length, fetched: ids.length });
  }

  private async fetchAndOffer(id: string): Promise<void> {
    let conversation: unknown;
    try {
      conversation = await this.deps.api.getConversation(id);
    } catch (err) {
      this.deps.logger.debug('backfill could not fetch a conversation', { conversationId: id, error: err instanceof Error ? err.message : 'unknown' });
      return;
    }
    this.fetched++;
    this.deps.events?.fetched?.();
    this.deps.enricher.offer(conversation, undefined, 'backfill');
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  /** All live entities; a truncated answer is asked again queue by queue. */
  private async liveEntities(): Promise<ActivityEntity[]> {
    const all = await this.deps.api.activeConversations(this.opts.queueIds);
    if (!all.truncated || this.opts.queueIds.length === 1) {
      if (all.truncated) this.warnTruncated(this.opts.queueIds[0] ?? '');
      return all.entities;
    }
    const out: ActivityEntity[] = [];
    for (const queueId of this.opts.queueIds) {
      const one = await this.deps.api.activeConversations([queueId]);
      if (one.truncated) this.warnTruncated(queueId);
      out.push(...one.entities);
    }
    return out;
  }

  private warnTruncated(queueId: string): void {
    this.deps.logger.warn('activity query truncated for a queue; some live conversations may be caught only by the live feed', { queueId });
  }

  private schedulePeriodic(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.opts.intervalMs > 0 && !this.stopped) {
      this.timer = setInterval(() => {
        void this.runNow();
      }, this.opts.intervalMs);
      this.timer.unref();
    }
  }
}
