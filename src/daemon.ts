/**
 * The composition root: builds every part from the config, starts them in order, and stops
 * them in reverse. Start here to find any behaviour:
 *   Genesys API ........ genesys/client.ts (SDK, token, limiter, retries)
 *   websocket .......... stream/channel.ts (one state machine per channel), stream/frames.ts
 *   frame routing ...... daemon/frame-router.ts
 *   enrichment ......... enrich/pipeline.ts (detect.ts, claims.ts, map.ts)
 *   catching up ........ enrich/backfill.ts (after gaps, and periodically)
 *   flow schema ........ schema/store.ts, schema/compile.ts
 *   CRM ................ crm/client.ts
 *   audit, logs ........ sinks/
 *   metrics ............ ops/metrics.ts
 */
import type { EnricherConfig } from './config/index.js';
import { CrmClient } from './crm/index.js';
import { createFrameRouter } from './daemon/frame-router.js';
import { loadPublishedSchema, resolveFlowId, resolveQueues, type ResolvedQueue } from './daemon/resolve.js';
import { Backfiller } from './enrich/backfill.js';
import { ENRICHER_DEFAULTS, Enricher, type EnricherOptions } from './enrich/pipeline.js';
import type { AuditLine, AuditSink } from './sinks/audit.js';
import { createAuditLog } from './sinks/audit.js';
import { AnalyticsWebhook, WEBHOOK_DEFAULTS } from './sinks/webhook.js';
import { GenesysClient } from './genesys/client.js';
import type { Logger } from './log.js';
import { Metrics } from './ops/metrics.js';
import { SchemaStore } from './schema/store.js';
import { CHANNEL_DEFAULTS, NotificationChannel, type ChannelOptions, type ChannelStats } from './stream/channel.js';
import { flowTopic, packTopics, queueTopics } from './stream/topics.js';

/** Knobs that are not in the config file: tests and benchmarks shrink timings with them. */
export interface DaemonOverrides {
  readonly channel?: Partial<Omit<ChannelOptions, 'topics'>>;
  /** Rate-budget window (the sandbox can run a faster clock). */
  readonly windowMs?: number;
  readonly enricher?: Partial<Pick<EnricherOptions, 'concurrency' | 'retryAfterMs' | 'claimsMax'>>;
  /** Gap reports within this window share one backfill run. */
  readonly backfillDebounceMs?: number;
}

export interface DaemonDeps {
  readonly logger: Logger;
  /** Defaults to the config's audit file. */
  readonly audit?: AuditSink;
  readonly metrics?: Metrics;
  readonly onDecision?: (line: AuditLine) => void;
}

/** The marker attribute written with every enrichment: its presence means "done". */
export function markerKey(prefix: string): string {
  return `${prefix}enricher.traceId`;
}

/** A running daemon. */
export class Daemon {
  private constructor(
    readonly config: EnricherConfig,
    readonly queues: readonly ResolvedQueue[],
    readonly flowId: string | undefined,
    readonly genesys: GenesysClient,
    readonly schemas: SchemaStore,
    readonly crm: CrmClient,
    readonly enricher: Enricher,
    readonly backfill: Backfiller,
    readonly channels: readonly NotificationChannel[],
    readonly metrics: Metrics,
    private readonly audit: AuditSink,
    private readonly webhook: AnalyticsWebhook | undefined,
    private readonly logger: Logger,
  ) {}

  /** Builds and starts everything; rejects (after cleaning up) when start-up cannot complete. */
  static async start(config: EnricherConfig, deps: DaemonDeps, overrides: DaemonOverrides = {}): Promise<Daemon> {
    const logger = deps.logger;
    const metrics = deps.metrics ?? new Metrics();
    const g = config.genesys;
    const genesys = new GenesysClient(
      {
        target: g.region !== undefined ? { region: g.region } : { gatewayUrl: g.gatewayUrl },
        clientId: g.clientId,
        clientSecret: g.clientSecret,
        requestsPerMinute: g.requestsPerMinute,
        maxConcurrentRequests: g.maxConcurrentRequests,
        timeoutMs: g.timeoutMs,
        ...(overrides.windowMs !== undefined && { windowMs: overrides.windowMs }),
      },
      {
        logger: logger.child({ component: 'genesys' }),
        observer: {
          onAttempt: (endpoint, outcome) => { metrics.genesysCalls.inc({ endpoint, status: String(outcome) }); },
          onRateLimited: () => { metrics.rateLimited.inc(); },
        },
      },
    );
    const closers: (() => Promise<void>)[] = [() => genesys.close()];
    try {
      await genesys.login();
      const queues = await resolveQueues(config.queues, genesys);
      const flowId = await resolveFlowId(config.flow, genesys);
      const schemas = new SchemaStore(
        { maxValueLength: config.attributes.maxValueLength, ...(config.flow.schema !== undefined && { inline: config.flow.schema }) },
        { logger, ...(flowId !== undefined && { source: { loadPublished: () => loadPublishedSchema(flowId, genesys) } }) },
      );
      const schema = await schemas.load();
      metrics.schemaVersion.set({ version: schema.versionId }, 1);
      const crm = new CrmClient(config.crm, { logger: logger.child({ component: 'crm' }) });
      closers.push(() => crm.close());
      const audit = deps.audit ?? createAuditLog(config.audit.file);
      closers.push(() => audit.close());
      const webhook =
        config.analytics.webhookUrl === undefined
          ? undefined
          : new AnalyticsWebhook(
              { url: config.analytics.webhookUrl, timeoutMs: config.analytics.timeoutMs, maxQueued: WEBHOOK_DEFAULTS.maxQueued, concurrency: WEBHOOK_DEFAULTS.concurrency },
              { logger: logger.child({ component: 'webhook' }), onDrop: () => { metrics.webhookDropped.inc(); } },
            );
      const enricher = new Enricher(
        {
          ...enricherOptions(config, queues),
          concurrency: overrides.enricher?.concurrency ?? ENRICHER_DEFAULTS.concurrency,
          retryAfterMs: overrides.enricher?.retryAfterMs ?? ENRICHER_DEFAULTS.retryAfterMs,
          claimsMax: overrides.enricher?.claimsMax ?? ENRICHER_DEFAULTS.claimsMax,
        },
        {
          writer: genesys,
          crm,
          schemas,
          audit,
          metrics,
          logger: logger.child({ component: 'pipeline' }),
          ...(webhook && { webhook }),
          ...(deps.onDecision && { onDecision: deps.onDecision }),
        },
      );
      const backfill = new Backfiller(
        {
          queueIds: queues.map((q) => q.id),
          trigger: config.trigger,
          intervalMs: config.backfill.intervalMs,
          debounceMs: overrides.backfillDebounceMs ?? 200,
        },
        { api: genesys, enricher, logger: logger.child({ component: 'backfill' }), metrics },
      );
      closers.push(() => backfill.stop());
      const onFrame = createFrameRouter({
        enricher,
        metrics,
        logger: logger.child({ component: 'router' }),
        onFlowEvent: (id, body) => {
          if (id === flowId) schemas.onFlowEvent(body);
        },
      });
      const topics = [
        ...queues.flatMap((q) => queueTopics(q.id, config.media, 'generic')),
        ...(flowId !== undefined ? [flowTopic(flowId)] : []),
      ];
      const channels = packTopics(topics).map(
        (pack, i) =>
          new NotificationChannel(
            `channel-${i}`,
            { ...channelOptions(config), ...overrides.channel, topics: pack },
            {
              api: genesys,
              logger,
              events: {
                onFrame,
                onGap: (gap) => {
                  backfill.request(`${gap.channelKey}:${gap.reason}`);
                },
                onStateChange: (from, to, reason) => {
                  metrics.channels.inc({ state: to });
                  metrics.channels.dec({ state: from });
                  if (to === 'backoff' || to === 'rotating') metrics.reconnects.inc({ reason });
                },
                onRejectedTopics: (rejected) => {
                  for (const r of rejected) {
                    logger.error('topic rejected by Genesys', { topic: r.topic, reason: r.reason, missingPermissions: r.missingPermissions });
                  }
                },
              },
            },
          ),
      );
      closers.push(async () => {
        await Promise.all(channels.map((c) => c.stop()));
      });
      metrics.channels.set({ state: 'idle' }, channels.length);
      await Promise.all(channels.map((c) => c.start()));
      backfill.start();
      logger.info('daemon started', { queues: queues.length, channels: channels.length, topics: topics.length, schemaVersion: schema.versionId });
      return new Daemon(config, queues, flowId, genesys, schemas, crm, enricher, backfill, channels, metrics, audit, webhook, logger);
    } catch (err) {
      for (const close of closers.reverse()) await close().catch(() => undefined);
      throw err;
    }
  }

  /** Channel facts for readiness and metrics. */
  channelStats(): ChannelStats[] {
    return this.channels.map((c) => c.stats());
  }

  /**
   * Stops in the order that loses nothing: no new frames, in-flight enrichments finish (up to
   * the drain deadline), the webhook gets a moment, then the audit file is flushed and closed.
   */
  async stop(): Promise<void> {
    await Promise.all(this.channels.map((c) => c.stop()));
    await this.backfill.stop();
    const drained = await this.enricher.drain(this.config.pipeline.drainTimeoutMs);
    if (drained.unfinished > 0) this.logger.warn('stopped with enrichments still in flight', drained);
    await this.webhook?.drain(1_000);
    await this.schemas.whenIdle();
    await this.genesys.close();
    await this.crm.close();
    await this.audit.close();
    this.logger.info('daemon stopped', { ...this.summaryCounts() });
  }

  summaryCounts(): { seen: number; enriched: number; skipped: number; failed: number } {
    const s = this.enricher.summary;
    return { seen: s.seen, enriched: s.enriched, skipped: s.skipped, failed: s.failed };
  }
}

/** The pipeline options a config implies. */
export function enricherOptions(config: EnricherConfig, queues: readonly ResolvedQueue[]): Pick<EnricherOptions, 'detect' | 'map' | 'prefix' | 'queueSize'> {
  return {
    detect: {
      queueIds: new Set(queues.map((q) => q.id)),
      media: new Set(config.media),
      trigger: config.trigger,
      target: config.target,
      markerKey: markerKey(config.attributes.prefix),
    },
    map: config.attributes.map,
    prefix: config.attributes.prefix,
    queueSize: config.pipeline.queueSize,
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
