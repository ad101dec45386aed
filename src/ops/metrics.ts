/**
 * Prometheus metrics (prom-client), one registry per daemon so tests can run several. Names
 * follow Prometheus conventions; label values are bounded sets (reasons, outcomes, endpoints),
 * never ids.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly conversationsSeen: Counter<'source'>;
  readonly decisions: Counter<'event' | 'reason'>;
  readonly pipelineLatency: Histogram<'stage'>;
  readonly crmLookups: Counter<'outcome'>;
  readonly genesysCalls: Counter<'endpoint' | 'status'>;
  readonly rateLimited: Counter;
  readonly genesysPaused: Gauge<'family'>;
  readonly permissionDenied: Counter<'call'>;
  readonly limiterQueued: Gauge;
  readonly workQueueDepth: Gauge;
  readonly workQueueRejected: Counter;
  readonly channels: Gauge<'state'>;
  readonly heartbeatAge: Gauge<'channel'>;
  readonly reconnects: Counter<'reason'>;
  readonly frames: Counter<'kind'>;
  readonly backfilled: Counter;
  readonly schemaVersion: Gauge<'version'>;
  readonly crmBreakerOpen: Gauge;
  readonly crmCacheHitRatio: Gauge;
  readonly webhookDropped: Counter;
  readonly crmCalls: Counter<'result' | 'reason'>;
  readonly auditWriteFailures: Counter;
  readonly auditWritable: Gauge;
  readonly auditDropped: Counter;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'genesys_enricher_' });
    this.conversationsSeen = new Counter({ name: 'genesys_enricher_conversations_seen_total', help: 'Conversations noticed for the first time', labelNames: ['source'], registers });
    this.decisions = new Counter({ name: 'genesys_enricher_decisions_total', help: 'Audited decisions by event and reason', labelNames: ['event', 'reason'], registers });
    this.pipelineLatency = new Histogram({
      name: 'genesys_enricher_latency_seconds',
      help: 'Pipeline latency by stage (crm, write, total)',
      labelNames: ['stage'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.crmLookups = new Counter({ name: 'genesys_enricher_crm_lookups_total', help: 'CRM lookups by outcome (hit = fresh cache)', labelNames: ['outcome'], registers });
    this.genesysCalls = new Counter({ name: 'genesys_enricher_genesys_calls_total', help: 'Genesys API attempts by endpoint and status', labelNames: ['endpoint', 'status'], registers });
    this.rateLimited = new Counter({ name: 'genesys_enricher_genesys_429_total', help: 'Genesys 429 answers', registers });
    this.genesysPaused = new Gauge({ name: 'genesys_enricher_genesys_paused', help: '1 while a 429 pauses the Genesys endpoint family', labelNames: ['family'], registers });
    this.permissionDenied = new Counter({
      name: 'genesys_enricher_permission_denied_total',
      help: 'Genesys calls refused with 403 (a permission the OAuth client lacks), by call',
      labelNames: ['call'],
      registers,
    });
    this.limiterQueued = new Gauge({ name: 'genesys_enricher_limiter_queued', help: 'Genesys calls waiting for the rate budget', registers });
    this.workQueueDepth = new Gauge({ name: 'genesys_enricher_work_queue_depth', help: 'Conversations waiting for the pipeline', registers });
    this.workQueueRejected = new Counter({ name: 'genesys_enricher_work_queue_rejected_total', help: 'Conversations turned away because the work queue was full', registers });
    this.channels = new Gauge({ name: 'genesys_enricher_channels', help: 'Notification channels by state', labelNames: ['state'], registers });
    this.heartbeatAge = new Gauge({ name: 'genesys_enricher_last_frame_age_seconds', help: 'Seconds since the last frame per channel', labelNames: ['channel'], registers });
    this.reconnects = new Counter({ name: 'genesys_enricher_reconnects_total', help: 'Channel reconnects and rotations by reason', labelNames: ['reason'], registers });
    this.frames = new Counter({ name: 'genesys_enricher_frames_total', help: 'Frames received by kind', labelNames: ['kind'], registers });
    this.backfilled = new Counter({ name: 'genesys_enricher_backfilled_total', help: 'Conversations found by the catch-up query', registers });
    this.schemaVersion = new Gauge({ name: 'genesys_enricher_schema_info', help: 'Loaded flow schema version (value 1)', labelNames: ['version'], registers });
    this.crmCacheHitRatio = new Gauge({ name: 'genesys_enricher_crm_cache_hit_ratio', help: 'Share of CRM lookups answered from a fresh cache entry', registers });
    this.crmBreakerOpen = new Gauge({ name: 'genesys_enricher_crm_breaker_open', help: '1 while the CRM circuit breaker is open', registers });
    this.crmCalls = new Counter({ name: 'genesys_enricher_crm_calls_total', help: 'CRM calls by result (answered, failed, bad-answer: the CRM answered but unusably) and reason', labelNames: ['result', 'reason'], registers });
    this.auditWriteFailures = new Counter({ name: 'genesys_enricher_audit_write_failures_total', help: 'Times the audit file stopped taking lines (full disk, size limit, I/O error)', registers });
    this.auditWritable = new Gauge({ name: 'genesys_enricher_audit_writable', help: '1 while the audit file takes every line, 0 while lines wait', registers });
    this.auditWritable.set(1);
    this.auditDropped = new Counter({ name: 'genesys_enricher_audit_lines_dropped_total', help: 'Audit lines given up after too many waited for an unwritable file', registers });
    this.webhookDropped = new Counter({ name: 'genesys_enricher_webhook_dropped_total', help: 'Analytics webhook events dropped (queue full or failed)', registers });
  }
}
