/**
 * Prometheus metrics (prom-client), one registry per daemon so tests can run several. Names
 * follow Prometheus conventions: our series carry the `genesys_enricher_` prefix, Node's default
 * process metrics do not (standard dashboards look for them unprefixed); label values are bounded
 * sets (reasons, outcomes, endpoints, channel slots), never ids; every labelled series exists at 0
 * from the start (see metric-labels.ts), so alerts can be written on series that have not moved.
 * docs/metrics.md lists every series.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { buildInfo, type BuildInfo } from './build-info.js';
import {
  CHANNEL_STATES,
  CRM_CALL_REASONS,
  CRM_OUTCOMES,
  DECISION_REASONS,
  ENDPOINTS,
  FRAME_KINDS,
  LATENCY_STAGES,
  PAUSE_FAMILIES,
  PERMISSION_CALLS,
  RECONNECT_REASONS,
  SOURCES,
  WATCHED_STATUSES,
} from './metric-labels.js';

/** The prefix of every series the daemon defines itself. */
export const METRIC_PREFIX = 'genesys_enricher_';

/** Options of {@link Metrics}. */
export interface MetricsOptions {
  /** Also collect Node's default process metrics (unprefixed). */
  readonly defaultMetrics?: boolean;
  /** What `build_info` reports (defaults to the package's version and this Node). */
  readonly build?: BuildInfo;
}

export class Metrics {
  readonly registry = new Registry();
  readonly buildInfo: Gauge<'version' | 'node'>;
  readonly ready: Gauge;
  readonly tokenExpiry: Gauge;
  readonly conversationsSeen: Counter<'source'>;
  readonly decisions: Counter<'event' | 'reason'>;
  readonly pipelineLatency: Histogram<'stage'>;
  readonly crmLookups: Counter<'outcome'>;
  readonly genesysCalls: Counter<'endpoint' | 'status'>;
  readonly genesysPaused: Gauge<'family'>;
  readonly permissionDenied: Counter<'call'>;
  readonly limiterQueued: Gauge;
  readonly workQueueDepth: Gauge;
  readonly workQueueRejected: Counter;
  readonly channels: Gauge<'state'>;
  readonly lastFrame: Gauge<'slot'>;
  readonly reconnects: Counter<'reason'>;
  readonly frames: Counter<'kind'>;
  readonly backfilled: Counter;
  readonly schemaVersion: Gauge<'version'>;
  readonly crmBreakerOpen: Gauge;
  readonly webhookDropped: Counter;
  readonly crmCalls: Counter<'result' | 'reason'>;
  readonly auditWriteFailures: Counter;
  readonly auditWritable: Gauge;
  readonly auditDropped: Counter;

  constructor(opts: MetricsOptions = {}) {
    const registers = [this.registry];
    const name = (n: string): string => `${METRIC_PREFIX}${n}`;
    if (opts.defaultMetrics === true) collectDefaultMetrics({ register: this.registry });
    this.buildInfo = new Gauge({ name: name('build_info'), help: 'Version of the program and of Node (value 1)', labelNames: ['version', 'node'], registers });
    this.ready = new Gauge({ name: name('ready'), help: '1 while every readiness check passes (what /readyz answers)', registers });
    this.tokenExpiry = new Gauge({ name: name('token_expiry_timestamp_seconds'), help: 'When the Genesys access token expires (Unix time; 0 = no token)', registers });
    this.conversationsSeen = new Counter({ name: name('conversations_seen_total'), help: 'Conversations noticed for the first time, by source', labelNames: ['source'], registers });
    this.decisions = new Counter({ name: name('decisions_total'), help: 'Audited decisions by event and reason', labelNames: ['event', 'reason'], registers });
    this.pipelineLatency = new Histogram({
      name: name('latency_seconds'),
      help: 'Pipeline latency by stage (crm, write, total)',
      labelNames: ['stage'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.crmLookups = new Counter({ name: name('crm_lookups_total'), help: 'CRM lookups by outcome (hit = fresh cache entry, miss = fetched)', labelNames: ['outcome'], registers });
    this.genesysCalls = new Counter({ name: name('genesys_calls_total'), help: 'Genesys API attempts by endpoint and status (429s included)', labelNames: ['endpoint', 'status'], registers });
    this.genesysPaused = new Gauge({ name: name('genesys_paused'), help: '1 while a 429 pauses the Genesys endpoint family', labelNames: ['family'], registers });
    this.permissionDenied = new Counter({
      name: name('permission_denied_total'),
      help: 'Genesys calls refused with 403 (a permission the OAuth client lacks), by call',
      labelNames: ['call'],
      registers,
    });
    this.limiterQueued = new Gauge({ name: name('limiter_queued'), help: 'Genesys calls waiting for the rate budget', registers });
    this.workQueueDepth = new Gauge({ name: name('work_queue_depth'), help: 'Conversations waiting for the pipeline', registers });
    this.workQueueRejected = new Counter({ name: name('work_queue_rejected_total'), help: 'Conversations turned away because the work queue was full', registers });
    this.channels = new Gauge({ name: name('channels'), help: 'Notification channels by state', labelNames: ['state'], registers });
    this.lastFrame = new Gauge({
      name: name('last_frame_timestamp_seconds'),
      help: 'When the channel in this slot last received a frame (Unix time; a slot keeps its number across reconnects)',
      labelNames: ['slot'],
      registers,
    });
    this.reconnects = new Counter({ name: name('reconnects_total'), help: 'Channel reconnects and rotations by reason', labelNames: ['reason'], registers });
    this.frames = new Counter({ name: name('frames_total'), help: 'Frames received by kind', labelNames: ['kind'], registers });
    this.backfilled = new Counter({ name: name('backfilled_total'), help: 'Conversations found by the catch-up query', registers });
    this.schemaVersion = new Gauge({ name: name('schema_info'), help: 'Loaded flow schema version (value 1)', labelNames: ['version'], registers });
    this.crmBreakerOpen = new Gauge({ name: name('crm_breaker_open'), help: '1 while the CRM circuit breaker is open', registers });
    this.crmCalls = new Counter({
      name: name('crm_calls_total'),
      help: 'CRM calls by result (answered, failed, bad-answer: the CRM answered but unusably) and reason',
      labelNames: ['result', 'reason'],
      registers,
    });
    this.auditWriteFailures = new Counter({ name: name('audit_write_failures_total'), help: 'Times the audit file stopped taking lines (full disk, size limit, I/O error)', registers });
    this.auditWritable = new Gauge({ name: name('audit_writable'), help: '1 while the audit file takes every line, 0 while lines wait', registers });
    this.auditDropped = new Counter({ name: name('audit_lines_dropped_total'), help: 'Audit lines given up after too many waited for an unwritable file', registers });
    this.webhookDropped = new Counter({ name: name('webhook_dropped_total'), help: 'Analytics webhook events dropped (queue full or failed)', registers });

    const build = opts.build ?? buildInfo();
    this.buildInfo.set({ version: build.version, node: build.node }, 1);
    this.initialiseLabelledSeries();
  }

  /** Creates every known labelled series at 0 (unlabelled ones exist from their creation). */
  private initialiseLabelledSeries(): void {
    this.ready.set(0);
    this.tokenExpiry.set(0);
    this.auditWritable.set(1);
    for (const source of SOURCES) this.conversationsSeen.inc({ source }, 0);
    for (const [event, reasons] of Object.entries(DECISION_REASONS)) for (const reason of reasons) this.decisions.inc({ event, reason }, 0);
    for (const stage of LATENCY_STAGES) this.pipelineLatency.zero({ stage });
    for (const outcome of CRM_OUTCOMES) this.crmLookups.inc({ outcome }, 0);
    for (const [result, reasons] of Object.entries(CRM_CALL_REASONS)) for (const reason of reasons) this.crmCalls.inc({ result, reason }, 0);
    for (const endpoint of ENDPOINTS) for (const status of WATCHED_STATUSES) this.genesysCalls.inc({ endpoint, status }, 0);
    for (const family of PAUSE_FAMILIES) this.genesysPaused.set({ family }, 0);
    for (const call of PERMISSION_CALLS) this.permissionDenied.inc({ call }, 0);
    for (const state of CHANNEL_STATES) this.channels.set({ state }, 0);
    for (const reason of RECONNECT_REASONS) this.reconnects.inc({ reason }, 0);
    for (const kind of FRAME_KINDS) this.frames.inc({ kind }, 0);
  }
}
