/**
 * The composition root: builds every part from the config, starts them in order, reloads what
 * a new config changes, and stops them in reverse. Start here to find any behaviour:
 *   Genesys API ........ genesys/client.ts (SDK, token, limiter, retries)
 *   websockets ......... daemon/channel-set.ts -> stream/channel.ts (one state machine per channel)
 *   frame routing ...... daemon/frame-router.ts (stream/frames.ts parses)
 *   enrichment ......... enrich/pipeline.ts (detect.ts, claims.ts, map.ts)
 *   catching up ........ enrich/backfill.ts (after gaps, and periodically)
 *   flow schema ........ schema/store.ts, schema/compile.ts
 *   CRM ................ crm/client.ts
 *   audit, logs ........ sinks/
 *   health, metrics .... ops/http.ts, ops/readiness.ts, ops/metric-events.ts, daemon/observe.ts
 *   signals ............ cli/run-command.ts (SIGTERM drain, SIGHUP reload)
 */
import type { EnricherConfig } from './config/index.js';
import { CrmClient, parseCrmTemplate } from './crm/index.js';
import { assertCrmOptions } from './crm/options.js';
import { abortable, settlesWithin } from './daemon/bounded.js';
import { ChannelSet, type ChannelLimits } from './daemon/channel-set.js';
import { createFrameRouter } from './daemon/frame-router.js';
import { observeMetrics, readinessInput } from './daemon/observe.js';
import { InstanceLock, lockFileFor } from './daemon/instance-lock.js';
import { planReload } from './daemon/reload-plan.js';
import { loadPublishedSchema, resolveFlowId, resolveQueues, type ResolvedQueue } from './daemon/resolve.js';
import { Backfiller, type BackfillOptions } from './enrich/backfill.js';
import { markerVerifier } from './enrich/marker.js';
import { ENRICHER_DEFAULTS, Enricher, type EnricherOptions } from './enrich/pipeline.js';
import type { GenesysClient } from './genesys/client.js';
import { genesysClientFor } from './genesys/from-config.js';
import { PRIORITY } from './genesys/caller.js';
import { deriveSigningKeys } from './signing.js';
import { GenesysApiError, GenesysNetworkError } from './genesys/errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './log.js';
import { startOpsServer } from './ops/http.js';
import { backfillMetrics, callMetrics, channelStateMetrics, crmCallMetrics, enricherMetrics, frameMetrics } from './ops/metric-events.js';
import { Metrics } from './ops/metrics.js';
import { assessReadiness, startingReadiness, type ReadinessReport } from './ops/readiness.js';
import { SchemaStore } from './schema/store.js';
import { AuditIndex, createAuditLog, type AuditLine, type AuditSink } from './sinks/audit.js';
import { AUDIT_FILE_DEFAULTS, type AuditFs, type AuditHealth } from './sinks/audit-file.js';
import { AnalyticsWebhook, WEBHOOK_DEFAULTS } from './sinks/webhook.js';
import { CHANNEL_DEFAULTS, type ChannelOptions, type ChannelStats } from './stream/channel.js';
import { conversationIdOfText } from './stream/frames.js';
import { flowTopic, queueTopics } from './stream/topics.js';
import { EnricherError } from './errors.js';
import { Cluster } from './cluster/cluster.js';

/** Knobs that are not in the config file: tests and benchmarks shrink timings with them. */
export interface DaemonOverrides {
  readonly channel?: Partial<Omit<ChannelOptions, 'topics'>>;
  /** Channel cap and topics per channel (Genesys: 20 and 1,000), smaller in tests that reach the cap. */
  readonly channelLimits?: Partial<ChannelLimits>;
  /** Rate-budget window (the sandbox can run a faster clock). */
  readonly windowMs?: number;
  readonly enricher?: Partial<Pick<EnricherOptions, 'concurrency' | 'retryAfterMs' | 'claimsMax'>>;
  /** Gap reports within this window share one backfill run. */
  readonly backfillDebounceMs?: number;
  /** The audit file's file calls and retry timing (tests make the disk fail on cue). */
  readonly audit?: { readonly fs?: AuditFs; readonly retryMs?: number };
}

export interface DaemonDeps {
  readonly logger: Logger;
  /** Defaults to the config's audit file. */
  readonly audit?: AuditSink & { reopen?(): Promise<void> };
  readonly metrics?: Metrics;
  readonly onDecision?: (line: AuditLine) => void;
  /** Aborts a start-up that is still waiting for Genesys to answer (a stop signal). */
  readonly signal?: AbortSignal;
  /** Shadow mode (`run --dry-run`): no PATCH is sent; decisions are audited as `would-enrich`. */
  readonly dryRun?: boolean;
}

/** How long start-up keeps trying to reach Genesys (network errors, 5xx, 429) before it gives up. */
const STARTUP_RETRY_MS = 60_000;

/**
 * Bounds of the stop steps other than the drain: together with `pipeline.drainTimeoutMs` they
 * make the longest a stop can take, whatever Genesys, the CRM or the webhook do.
 */
const STOP_STEP_MS = 1_000;
/** What the analytics webhook gets at a stop before its deliveries are cut. */
const WEBHOOK_STOP_GRACE_MS = 1_000;

/** What a reload reports: the sections that differ, split by when they take effect. */
export interface ReloadReport {
  /** Changed sections now in force. */
  readonly applied: readonly string[];
  /** Changed sections that take effect only after a restart. */
  readonly needsRestart: readonly string[];
}

/** The marker attribute written with every enrichment: its presence means "done". */
export function markerKey(prefix: string): string {
  return `${prefix}enricher.traceId`;
}

type Closer = () => Promise<void>;

/** A running daemon. */
export class Daemon {
  readonly metrics: Metrics;
  genesys!: GenesysClient;
  crm!: CrmClient;
  enricher!: Enricher;
  backfill!: Backfiller;
  channels!: ChannelSet;
  schemas!: SchemaStore;
  queues: readonly ResolvedQueue[] = [];
  flowId: string | undefined;
  /** `http://HOST:PORT` of the health and metrics endpoint, when it listens. */
  opsUrl: string | undefined;
  /** Cluster mode (config `cluster`): claims, done-set, heartbeat and budget shared through Redis. */
  cluster: Cluster | undefined;
  private audit!: AuditSink & { reopen?(): Promise<void> };
  private webhook: AnalyticsWebhook | undefined;
  /** Webhooks replaced by a reload, still finishing what they hold; stopped with the daemon. */
  private readonly retiredWebhooks = new Set<AnalyticsWebhook>();
  /** Channel sets starting or stopping beside `channels` while a reload replaces it. */
  private readonly sideChannels = new Set<ChannelSet>();
  private readonly closers: Closer[] = [];
  private readonly logger: Logger;
  /** True from the end of start-up until stop. */
  private running = false;
  /** Set when stop begins: a reload still in preparation then applies nothing. */
  private stopping = false;
  /** What start-up is doing now, for `/readyz` before the daemon runs. */
  private startStep = 'starting';
  /** When start-up tries Genesys again after it could not be reached (epoch ms; 0: not waiting). */
  private nextLoginAt = 0;

  private constructor(
    public config: EnricherConfig,
    private readonly deps: DaemonDeps,
    private readonly overrides: DaemonOverrides,
  ) {
    // Parts add their own component; lines of the daemon itself say `daemon`.
    this.logger = deps.logger.child({ component: 'daemon' });
    this.metrics = deps.metrics ?? new Metrics({ defaultMetrics: true });
  }

  /** Builds and starts everything; rejects (after cleaning up) when start-up cannot complete. */
  static async start(config: EnricherConfig, deps: DaemonDeps, overrides: DaemonOverrides = {}): Promise<Daemon> {
    const daemon = new Daemon(config, deps, overrides);
    try {
      await daemon.boot();
      return daemon;
    } catch (err) {
      daemon.stopping = true;
      await daemon.closeAll();
      throw err;
    }
  }

  /** Read through a call: the flag changes across awaits, which narrowing cannot see. */
  private stopRequested(): boolean {
    return this.stopping;
  }

  /** Waits for a start-up step unless the stop signal comes first (then throws StartupAbortedError). */
  private step<T>(work: Promise<T>): Promise<T> {
    return abortable(work, this.deps.signal);
  }

  private async boot(): Promise<void> {
    const { config, logger, metrics } = this;
    // Health from the first second, and a busy port fails here, before any Genesys call.
    await this.startOps(config);
    const lockFile = lockFileFor(config.audit.file);
    if (lockFile !== undefined && this.deps.audit === undefined) {
      const lock = InstanceLock.acquire(lockFile);
      this.closers.push(() => {
        lock.release();
        return Promise.resolve();
      });
    }
    if (config.cluster) {
      const cluster = await this.step(
        Cluster.start(config.cluster, {
          logger,
          clientId: config.genesys.clientId,
          requestsPerMinute: config.genesys.requestsPerMinute,
          windowMs: this.overrides.windowMs ?? 60_000,
          onRedisReturned: () => {
            if (this.running) this.backfill.request('redis-returned');
          },
          onPeerPause: (family, ms) => {
            this.genesys.peerRateLimited(family, ms);
          },
          // Before the channels exist (start-up) the instance holds none.
          channels: () => (this.running ? this.channelStats().length : 0),
          ...(this.overrides.channelLimits?.maxChannels !== undefined && { channelCap: this.overrides.channelLimits.maxChannels }),
        }),
      );
      this.cluster = cluster;
      this.closers.push(() => cluster.close());
    }
    this.genesys = genesysClientFor(config, logger, {
      ...(this.overrides.windowMs !== undefined && { windowMs: this.overrides.windowMs }),
      ...(this.cluster && { shared: this.cluster.budget }),
      observer: callMetrics(metrics),
      // Whether a channel outlives the token that created it is undocumented (docs/architecture.md): after
      // a renewal, move every channel to one made with the new token, overlap first.
      onTokenRenewed: (generation) => {
        if (generation > 1 && this.running) {
          this.channels.rotateAll('token-renewed').catch(() => undefined);
        }
      },
    });
    this.closers.push(() => this.genesys.close());
    this.startStep = 'logging in to Genesys';
    await this.step(this.loginPatiently());
    this.startStep = 'resolving queues';
    this.queues = await this.step(resolveQueues(config.queues, this.genesys));
    this.startStep = 'resolving the flow';
    this.flowId = await this.step(resolveFlowId(config.flow, this.genesys));
    this.startStep = 'loading the flow schema';
    this.schemas = await this.step(this.loadSchemas(config, this.flowId));
    this.showSchemaVersion(this.schemas);
    this.crm = new CrmClient(config.crm, {
      logger: logger.child({ component: 'crm' }),
      onCall: crmCallMetrics(metrics),
    });
    this.closers.push(() => this.crm.close());
    const auditIndex = new AuditIndex(config.audit.file);
    this.audit = this.deps.audit ?? this.openAudit(config.audit.file);
    this.closers.push(() => this.audit.close());
    this.webhook = this.createWebhook(config);
    this.enricher = new Enricher(
      {
        ...enricherOptions(config, this.queues),
        concurrency: this.overrides.enricher?.concurrency ?? ENRICHER_DEFAULTS.concurrency,
        ...(this.overrides.enricher?.retryAfterMs !== undefined && { retryAfterMs: this.overrides.enricher.retryAfterMs }),
        claimsMax: this.overrides.enricher?.claimsMax ?? ENRICHER_DEFAULTS.claimsMax,
      },
      {
        writer: {
          // With `audit.onWriteFailure: pause`, nothing is written that could not be audited.
          patchParticipantAttributes: async (conversationId, participantId, attributes) => {
            if (this.config.audit.onWriteFailure === 'pause') await this.audit.whenWritable?.();
            return this.genesys.patchParticipantAttributes(conversationId, participantId, attributes);
          },
        },
        // Read-backs decide a live write's fate: they go at write priority.
        reader: { getConversation: (id) => this.genesys.getConversation(id, PRIORITY.write) },
        crm: { lookup: (ctx) => this.crm.lookup(ctx) },
        schemas: { current: () => this.schemas.current() },
        audit: {
          write: (line) => {
            auditIndex.add(line);
            this.audit.write(line);
          },
          close: () => Promise.resolve(),
        },
        isAudited: (traceId) => auditIndex.has(traceId),
        events: enricherMetrics(metrics),
        logger: logger.child({ component: 'pipeline' }),
        webhook: { post: (event) => { this.webhook?.post(event); } },
        ...(this.deps.onDecision && { onDecision: this.deps.onDecision }),
        ...(this.cluster && { shared: this.cluster.coordinator }),
        ...(this.deps.dryRun === true && { dryRun: true }),
      },
    );
    // What the trail records as decided recently is settled before the first catch-up: a restart
    // then fetches only the conversations it has no record of (those that connected while it was
    // down), instead of every live one. The marker still guards anything the trail missed.
    const settled = auditIndex.takeRecentlyDecided();
    for (const id of settled) this.enricher.claims.done(id);
    if (settled.length > 0) logger.info('settled conversations recorded in the audit trail', { conversations: settled.length });
    const cluster = this.cluster;
    this.backfill = new Backfiller(this.backfillOptions(config), {
      api: this.genesys,
      enricher: this.enricher,
      logger: logger.child({ component: 'backfill' }),
      events: backfillMetrics(metrics),
      ...(cluster && { doneInCluster: (ids: readonly string[]) => cluster.doneAmong(ids) }),
      written: () => this.enricher.summary.enriched + this.enricher.summary.wouldEnrich,
    });
    this.closers.push(() => this.backfill.stop());
    this.channels = this.createChannelSet(this.channelOptions(config));
    this.closers.push(() => this.stopChannels());
    const topics = this.topics();
    this.startStep = 'opening notification channels';
    await this.step(this.channels.start(topics));
    this.backfill.start();
    this.running = true;
    logger.info('daemon started', { queues: this.queues.length, channels: this.channels.size, topics: topics.length, schemaVersion: this.schemas.current()?.versionId });
  }

  /**
   * Logs in, waiting out a Genesys (or network) outage at start-up for a while with growing
   * pauses; wrong credentials fail at once. A supervisor restarts the daemon if it gives up.
   */
  private async loginPatiently(): Promise<void> {
    const deadline = Date.now() + STARTUP_RETRY_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.genesys.login();
        return;
      } catch (err) {
        const transient = err instanceof GenesysNetworkError || (err instanceof GenesysApiError && (err.status >= 500 || err.status === 429));
        if (!transient || Date.now() > deadline || this.deps.signal?.aborted === true) throw err;
        const waitMs = Math.min(30_000, 1_000 * 2 ** (attempt - 1));
        this.logger.warn('Genesys not reachable at start-up; trying again', { error: err.message, waitMs });
        this.nextLoginAt = Date.now() + waitMs;
        await sleep(waitMs, undefined, this.deps.signal ? { signal: this.deps.signal } : {}).catch(() => undefined);
        this.nextLoginAt = 0;
      }
    }
  }

  private createChannelSet(options: Omit<ChannelOptions, 'topics'>): ChannelSet {
    const { logger, metrics } = this;
    const onFrame = createFrameRouter({
      enricher: this.enricher,
      events: frameMetrics(metrics),
      logger: logger.child({ component: 'router' }),
      onFlowEvent: (id, body) => {
        if (id === this.flowId) this.schemas.onFlowEvent(body);
      },
    });
    return new ChannelSet(options, {
      api: this.genesys,
      logger,
      events: {
        onFrame,
        onGap: (gap) => {
          this.backfill.request(`${gap.channelKey}:${gap.reason}`);
        },
        onStateChange: channelStateMetrics(metrics),
        skipText: (text) => {
          const id = conversationIdOfText(text);
          return id !== undefined && this.enricher.claims.settled(id);
        },
        onRejectedTopics: (rejected) => {
          for (const r of rejected) logger.error('topic rejected by Genesys', { topic: r.topic, reason: r.reason, missingPermissions: r.missingPermissions });
        },
      },
    }, this.overrides.channelLimits);
  }

  /** Stops the channel set and any set a reload is still swapping in or out. */
  private async stopChannels(): Promise<void> {
    await Promise.all([this.channels.stop(), ...[...this.sideChannels].map((c) => c.stop())]);
  }

  /** Channel facts for readiness and metrics. */
  channelStats(): ChannelStats[] {
    return this.channels.stats();
  }

  /** `starting` until start-up completed, `running`, then `stopping` once stop began. */
  get state(): 'starting' | 'running' | 'stopping' {
    if (this.stopping) return 'stopping';
    return this.running ? 'running' : 'starting';
  }

  /** Readiness now: channels open and heard from, schema loaded, token valid. */
  readiness(): ReadinessReport {
    if (this.state === 'stopping') return startingReadiness('stopping');
    if (this.state === 'starting') {
      const waitS = Math.ceil((this.nextLoginAt - Date.now()) / 1000);
      return startingReadiness(this.nextLoginAt > 0 ? `Genesys unreachable, next try in ${Math.max(0, waitS)} s` : this.startStep);
    }
    const c = this.config.stream;
    return assessReadiness(readinessInput(this), Date.now(), { maxSilenceMs: 2 * (c.heartbeatTimeoutMs + c.pongTimeoutMs) });
  }

  /**
   * Applies a new config without a restart, all or nothing. Everything the new config needs is
   * prepared first (queues and flow resolved, schema loaded, CRM options checked, a new audit
   * file opened); a failure there throws and changes nothing. Only then is it applied: queues
   * change the subscriptions in place, CRM, attribute, trigger and media settings apply to the
   * next conversation, a changed `audit.file` is switched to, and changed `stream` timings move
   * every channel to a new connection made with them (make-before-break). Changes to `genesys`,
   * `http`, `log` (and sections this daemon does not apply live) need a restart and are reported.
   */
  async reload(next: EnricherConfig): Promise<ReloadReport> {
    const prev = this.config;
    const plan = planReload(prev, next);
    const changed = new Set(plan.changed);
    if (this.stopping) throw new ReloadError('the daemon is stopping');
    // Prepare: nothing below may touch what runs.
    const queues = changed.has('queues') ? await resolveQueues(next.queues, this.genesys) : this.queues;
    let schema: { flowId: string | undefined; store: SchemaStore } | undefined;
    if (changed.has('flow') || prev.attributes.maxValueLength !== next.attributes.maxValueLength) {
      const flowId = await resolveFlowId(next.flow, this.genesys);
      schema = { flowId, store: await this.loadSchemas(next, flowId) };
    }
    if (changed.has('crm')) {
      assertCrmOptions(next.crm);
      parseCrmTemplate(next.crm.url);
    }
    // Opened last: the one prepared resource that must be closed again if the reload is dropped.
    const audit = changed.has('audit') && prev.audit.file !== next.audit.file && this.deps.audit === undefined ? this.openAudit(next.audit.file) : undefined;
    // Stop may have begun while the steps above waited for Genesys.
    if (this.stopRequested()) {
      await audit?.close();
      throw new ReloadError('the daemon is stopping');
    }
    // Apply: no step below waits for Genesys before the config is in force.
    this.config = next;
    this.queues = queues;
    if (schema) {
      this.schemas = schema.store;
      this.flowId = schema.flowId;
      this.showSchemaVersion(schema.store);
    }
    this.enricher.reconfigure({ ...enricherOptions(next, queues), ...(this.overrides.enricher?.retryAfterMs !== undefined && { retryAfterMs: this.overrides.enricher.retryAfterMs }) });
    this.backfill.reconfigure(this.backfillOptions(next));
    if (changed.has('crm')) this.crm.updateOptions(next.crm);
    if (changed.has('analytics')) this.replaceWebhook(this.createWebhook(next));
    let oldAudit: AuditSink | undefined;
    if (audit) {
      oldAudit = this.audit;
      this.audit = audit;
    }
    const applied = plan.live;
    this.logger.info('config reloaded', { queues: queues.length, applied, needsRestart: plan.needsRestart });
    if (plan.needsRestart.length > 0) this.logger.warn('some changed settings take effect only after a restart', { sections: plan.needsRestart });
    // Lines the old file still owed are reported, not thrown: the reload itself has been applied.
    await oldAudit?.close().catch((err: unknown) => {
      this.logger.error('the previous audit file closed with lines it could not take', { error: err instanceof Error ? err.message : 'unknown' });
    });
    if (changed.has('stream')) await this.replaceChannels(this.channelOptions(next));
    else if (changed.has('queues') || changed.has('media') || schema !== undefined) await this.channels.update(this.topics());
    return { applied, needsRestart: plan.needsRestart };
  }

  /**
   * Channels keep the timings they were made with, so new `stream` timings get a new channel
   * set: it opens and subscribes first, then the old one closes (the dedupe absorbs the overlap).
   */
  private async replaceChannels(options: Omit<ChannelOptions, 'topics'>): Promise<void> {
    const fresh = this.createChannelSet(options);
    this.sideChannels.add(fresh);
    await fresh.start(this.topics());
    if (this.stopRequested()) return;
    const old = this.channels;
    this.channels = fresh;
    this.sideChannels.delete(fresh);
    this.sideChannels.add(old);
    await old.stop();
    this.sideChannels.delete(old);
  }

  private replaceWebhook(next: AnalyticsWebhook | undefined): void {
    const old = this.webhook;
    this.webhook = next;
    if (!old) return;
    this.retiredWebhooks.add(old);
    void old.stop(WEBHOOK_STOP_GRACE_MS).finally(() => this.retiredWebhooks.delete(old));
  }

  /** The audit trail's state for readiness (undefined for a sink that cannot fail). */
  auditHealth(): AuditHealth | undefined {
    return this.audit.health?.();
  }

  /** The audit file, with its failures turned into log lines and metrics. */
  private openAudit(file: string): AuditSink & { reopen(): Promise<void> } {
    const o = this.overrides.audit;
    return createAuditLog(file, { ...AUDIT_FILE_DEFAULTS, ...(o?.retryMs !== undefined && { retryMs: o.retryMs }) }, {
      ...(o?.fs !== undefined && { fs: o.fs }),
      onHealthChange: (health) => {
        this.metrics.auditWritable.set(health.writable ? 1 : 0);
        if (health.writable) {
          this.logger.info('audit trail writable again; waiting lines written', { dropped: health.dropped });
          return;
        }
        this.metrics.auditWriteFailures.inc();
        const pausing = this.config.audit.onWriteFailure === 'pause';
        this.logger.error(`audit trail cannot be written; ${pausing ? 'writes to Genesys pause' : 'enrichment continues'} until it can`, {
          error: health.error,
          pending: health.pending,
        });
      },
      onDropped: () => {
        this.metrics.auditDropped.inc();
      },
    });
  }

  /** Starts a fresh audit file at the same path (after logrotate moved the old one away). */
  async reopenAudit(): Promise<void> {
    await this.audit.reopen?.();
  }

  /**
   * Stops in the order that loses nothing: no new frames, in-flight enrichments finish (up to
   * the drain deadline), the webhook gets a moment, then the audit file is flushed and closed.
   * Every step is bounded, so a stop ends within `pipeline.drainTimeoutMs` plus a few seconds
   * whatever Genesys, the CRM or the webhook do; the caller closes its logger after this.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    const late: string[] = [];
    const bounded = async (name: string, work: Promise<unknown>, ms: number): Promise<void> => {
      if (!(await settlesWithin(work, ms))) late.push(name);
    };
    await bounded('channels', Promise.all([this.stopChannels(), this.backfill.stop()]), STOP_STEP_MS);
    const drained = await this.enricher.drain(this.config.pipeline.drainTimeoutMs);
    if (drained.unfinished > 0) this.logger.warn('stopped with enrichments still in flight', drained);
    const webhooks = [...(this.webhook ? [this.webhook] : []), ...this.retiredWebhooks];
    let webhookDropped = 0;
    await bounded(
      'webhook',
      Promise.all(webhooks.map(async (w) => {
        webhookDropped += (await w.stop(WEBHOOK_STOP_GRACE_MS)).dropped;
      })),
      WEBHOOK_STOP_GRACE_MS + STOP_STEP_MS,
    );
    if (webhookDropped > 0) this.logger.warn('analytics webhook events dropped', { dropped: webhookDropped });
    await bounded('schema', this.schemas.whenIdle(), STOP_STEP_MS);
    await this.closeAll();
    if (late.length > 0) this.logger.warn('some parts did not stop in time and were left', { parts: late });
    this.logger.info('daemon stopped', { ...this.summaryCounts() });
  }

  summaryCounts(): { seen: number; enriched: number; skipped: number; failed: number } {
    const s = this.enricher.summary;
    return { seen: s.seen, enriched: s.enriched, skipped: s.skipped, failed: s.failed };
  }

  private topics(): string[] {
    return [
      ...this.queues.flatMap((q) => queueTopics(q.id, this.config.media, 'generic')),
      ...(this.flowId !== undefined ? [flowTopic(this.flowId)] : []),
    ];
  }

  private channelOptions(config: EnricherConfig): Omit<ChannelOptions, 'topics'> {
    return { ...channelOptions(config), ...this.overrides.channel };
  }

  private backfillOptions(config: EnricherConfig): BackfillOptions {
    return {
      queueIds: this.queues.map((q) => q.id),
      trigger: config.trigger,
      intervalMs: config.backfill.intervalMs,
      debounceMs: this.overrides.backfillDebounceMs ?? 200,
    };
  }

  private async loadSchemas(config: EnricherConfig, flowId: string | undefined): Promise<SchemaStore> {
    const store: SchemaStore = new SchemaStore(
      { maxValueLength: config.attributes.maxValueLength, ...(config.flow.schema !== undefined && { inline: config.flow.schema }) },
      {
        logger: this.logger,
        ...(flowId !== undefined && { source: { loadPublished: () => loadPublishedSchema(flowId, this.genesys) } }),
        // A republish swaps the schema in place: schema_info follows (a store replaced by a reload stays quiet).
        onInstalled: () => {
          if (this.schemas === store) this.showSchemaVersion(store);
        },
      },
    );
    await store.load();
    return store;
  }

  private showSchemaVersion(store: SchemaStore): void {
    const version = store.current()?.versionId;
    this.metrics.schemaVersion.reset();
    if (version !== undefined) this.metrics.schemaVersion.set({ version }, 1);
  }

  private createWebhook(config: EnricherConfig): AnalyticsWebhook | undefined {
    const url = config.analytics.webhookUrl;
    if (url === undefined) return undefined;
    return new AnalyticsWebhook(
      { url, timeoutMs: config.analytics.timeoutMs, maxQueued: WEBHOOK_DEFAULTS.maxQueued, concurrency: WEBHOOK_DEFAULTS.concurrency },
      { logger: this.logger.child({ component: 'webhook' }), onDrop: () => { this.metrics.webhookDropped.inc(); } },
    );
  }

  private async startOps(config: EnricherConfig): Promise<void> {
    const listen = config.http.listen;
    if (listen === 'off') return;
    const server = await startOpsServer(listen, {
      metrics: this.metrics,
      readiness: () => this.readiness(),
      state: () => this.state,
      refresh: () => {
        // During start-up the parts the gauges read do not exist yet.
        if (this.running) observeMetrics(this);
      },
      logger: this.logger.child({ component: 'ops' }),
    });
    this.opsUrl = server.url;
    this.closers.push(() => server.close());
    this.logger.info('ops http listening', { url: server.url });
  }

  /** Closes what start-up opened, newest first, each close bounded. */
  private async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      const closing = close().catch((err: unknown) => {
        this.logger.warn('error while stopping', { error: err instanceof Error ? err.message : 'unknown' });
      });
      if (!(await settlesWithin(closing, STOP_STEP_MS))) this.logger.warn('a part did not close in time and was left');
    }
  }
}

/** The pipeline options a config implies. */
export function enricherOptions(
  config: EnricherConfig,
  queues: readonly ResolvedQueue[],
): Pick<EnricherOptions, 'detect' | 'identity' | 'map' | 'prefix' | 'queueSize' | 'retryDelayMs' | 'maxAttempts' | 'retryAfterMs' | 'signing'> {
  const signing = deriveSigningKeys({ signingKey: config.signing.key, clientSecret: config.genesys.clientSecret });
  return {
    signing,
    detect: {
      queueIds: new Set(queues.map((q) => q.id)),
      media: new Set(config.media),
      trigger: config.trigger,
      target: config.target,
      markerKey: markerKey(config.attributes.prefix),
      verifyMarker: markerVerifier(signing.marker),
    },
    identity: config.identity,
    map: config.attributes.map,
    prefix: config.attributes.prefix,
    queueSize: config.pipeline.queueSize,
    retryDelayMs: config.pipeline.retryDelayMs,
    maxAttempts: config.pipeline.maxAttempts,
    retryAfterMs: config.pipeline.retryAfterMs,
  };
}

/** Channel timings from the config's `stream` section. */
export function channelOptions(config: EnricherConfig): Omit<ChannelOptions, 'topics'> {
  const s = config.stream;
  return {
    ...CHANNEL_DEFAULTS,
    heartbeatTimeoutMs: s.heartbeatTimeoutMs,
    pongTimeoutMs: s.pongTimeoutMs,
    connectTimeoutMs: s.connectTimeoutMs,
    backoff: { ...CHANNEL_DEFAULTS.backoff, minMs: s.reconnectMinMs, maxMs: Math.max(s.reconnectMinMs, s.reconnectMaxMs) },
  };
}

/** A reload that was refused before anything of it was applied. */
export class ReloadError extends EnricherError {
  constructor(message: string) {
    super('daemon.reload', message);
  }
}
