import { CRM_TEMPLATE_FIELDS } from '../crm/template.js';
import { CLUSTER_DEFAULTS } from '../cluster/options.js';
import { IDENTITY_DEFAULTS } from '../enrich/identity.js';
import type { ConfigDefaults } from './types.js';

/**
 * Fixed vocabularies and the defaults of the config file, each defined once. The schema
 * (`schema.ts`) and the docs (`config/example.yaml`) follow these.
 */

/**
 * A Genesys Cloud region host (the `<env>` in `api.<env>`). The list is the SDK's own
 * (`GENESYS_REGIONS` in urls.ts), so a region the pinned SDK knows is accepted as soon as it ships.
 */
export type GenesysRegion = string;

/** Media types the daemon can watch (each has its own queue topic variant). */
export const MEDIA_TYPES = ['call', 'chat', 'message', 'email', 'callback'] as const;
/** One of {@link MEDIA_TYPES}. */
export type MediaType = (typeof MEDIA_TYPES)[number];

/** When a conversation counts as new: an agent connected, or it merely entered the queue. */
export const TRIGGERS = ['agent-connected', 'queued'] as const;
/** One of {@link TRIGGERS}. */
export type Trigger = (typeof TRIGGERS)[number];

/** Which participant receives the attributes. */
export const TARGETS = ['customer', 'agent'] as const;
/** One of {@link TARGETS}. */
export type Target = (typeof TARGETS)[number];

/** Operational log levels, most severe first. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Operational log formats; `auto` means pretty on a TTY, JSON otherwise. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
/** One of {@link LOG_FORMATS}. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Placeholders allowed in `crm.url` besides `{attr:NAME}` (the CRM template owns the list). */
export const CRM_URL_PLACEHOLDERS = CRM_TEMPLATE_FIELDS;
/** One of {@link CRM_URL_PLACEHOLDERS}. */
export type CrmUrlPlaceholder = (typeof CRM_URL_PLACEHOLDERS)[number];

/** What the pipeline does while the audit trail cannot be written: hold Genesys writes, or go on. */
export const AUDIT_WRITE_FAILURE_MODES = ['pause', 'continue'] as const;
/** One of {@link AUDIT_WRITE_FAILURE_MODES}. */
export type AuditWriteFailureMode = (typeof AUDIT_WRITE_FAILURE_MODES)[number];

/** Value of `audit.file` that sends the audit trail to standard output. */
export const AUDIT_STDOUT = '-';
/** Value of `http.listen` that turns the health/metrics server off. */
export const LISTEN_OFF = 'off';

/** Every default of the config file. Keys not listed here are required (or optional without default). */
export const CONFIG_DEFAULTS = {
  genesys: { requestsPerMinute: 300, maxConcurrentRequests: 10, timeoutMs: 16_000, retryAfterCapMs: 60_000 },
  media: MEDIA_TYPES,
  trigger: 'agent-connected',
  target: 'customer',
  crm: {
    headers: {},
    timeoutMs: 2_000,
    maxConcurrent: 20,
    cache: { max: 10_000, ttlMs: 300_000, notFoundTtlMs: 30_000 },
    circuitBreaker: { failureThreshold: 5, openMs: 30_000 },
  },
  attributes: { prefix: '', maxValueLength: 256 },
  // Owned by the identity resolution (src/enrich/identity.ts), which explains each choice.
  identity: IDENTITY_DEFAULTS,
  analytics: { timeoutMs: 2_000 },
  audit: { file: 'audit.jsonl', onWriteFailure: 'pause' },
  http: { listen: '127.0.0.1:9464' },
  stream: { heartbeatTimeoutMs: 15_000, pongTimeoutMs: 5_000, connectTimeoutMs: 10_000, reconnectMinMs: 500, reconnectMaxMs: 30_000 },
  backfill: { intervalMs: 300_000 },
  pipeline: { queueSize: 10_000, drainTimeoutMs: 10_000, retryDelayMs: 2_000, maxAttempts: 3, retryAfterMs: 30_000 },
  log: { level: 'info', format: 'auto', redactFields: [] },
  // Owned by cluster mode (src/cluster/options.ts); the section itself is optional.
  cluster: CLUSTER_DEFAULTS,
} as const satisfies ConfigDefaults;
