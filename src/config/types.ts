/**
 * The shape of the resolved config, written out by hand so that every option carries its doc.
 * `parseConfig` produces it with every default applied, every `${...}` reference resolved and
 * every relative path made absolute; the object is deeply frozen.
 */
import type { ClusterOptions } from '../cluster/options.js';
import type { CrmOptions } from '../crm/options.js';
import type { IdentitySources } from '../enrich/identity.js';
import type { AuditWriteFailureMode, GenesysRegion, LogFormat, LogLevel, MediaType, Target, Trigger } from './constants.js';

/** Rate and transport settings for the Genesys Cloud API, shared by both ways of reaching it. */
export interface GenesysLimits {
  /** OAuth client id (resolved from its reference). */
  readonly clientId: string;
  /** OAuth client secret (resolved from its reference). Never log it. */
  readonly clientSecret: string;
  /** The org's API budget for this client, shared by every call (1..10000). */
  readonly requestsPerMinute: number;
  /** Upper bound on API calls in flight at once. */
  readonly maxConcurrentRequests: number;
  /** HTTP timeout of one API call. */
  readonly timeoutMs: number;
  /** Longest pause one 429 may cause, whatever its Retry-After asks (warned when it applies). */
  readonly retryAfterCapMs: number;
}

/** How to reach Genesys Cloud: a public region, or a gateway URL (the sandbox, a proxy). Exactly one is set. */
export type GenesysConfig = GenesysLimits &
  (
    | { readonly region: GenesysRegion; readonly gatewayUrl?: never }
    | {
        /** `https://...` anywhere, `http://...` only on a loopback host. */
        readonly gatewayUrl: string;
        readonly region?: never;
      }
  );

/** A watched queue, by exact name (resolved at start) or by id (a UUID, lower-cased). */
export type QueueRef = { readonly name: string; readonly id?: never } | { readonly id: string; readonly name?: never };

/** An inline flow input schema (a JSON Schema object document); other JSON Schema keys are kept as written. */
export interface InlineFlowSchema {
  readonly type: 'object';
  readonly properties: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly required?: readonly string[];
  readonly [keyword: string]: unknown;
}

/** The Architect flow whose input schema types the attributes: by id, by exact name, or inline. */
export type FlowRef =
  | { readonly id: string; readonly name?: never; readonly schema?: never }
  | { readonly name: string; readonly id?: never; readonly schema?: never }
  | { readonly schema: InlineFlowSchema; readonly id?: never; readonly name?: never };

/** CRM lookup over HTTP: the CRM client's own options (typed once, in src/crm/options.ts). */
export type CrmConfig = Omit<CrmOptions, 'refreshTimeoutMs'>;

/** How CRM answers become participant attributes. */
export interface AttributesConfig {
  /** Flow input name (e.g. `Flow.accountId`) -> RFC 6901 JSON pointer into the CRM answer. */
  readonly map: Readonly<Record<string, string>>;
  /** Written key = prefix + input name without its leading `Flow.`. */
  readonly prefix: string;
  /** Longest attribute value written. */
  readonly maxValueLength: number;
}

/**
 * Where the customer's lookup keys come from, per medium: an ordered list of sources (`ani`,
 * `address`, `callbackNumbers`, `externalContact`, `attr:NAME`); the first valid value of each kind
 * (phone, e-mail, external contact id) wins. Every medium has a default (src/enrich/identity.ts).
 */
export type IdentityConfig = IdentitySources;

/** The optional analytics webhook. */
export interface AnalyticsConfig {
  /** Where each decision is POSTed; absent means no webhook. */
  readonly webhookUrl?: string;
  /** Timeout of one webhook call. */
  readonly timeoutMs: number;
}

/** The audit trail. */
export interface AuditConfig {
  /** Absolute path of the JSON-lines file, or `-` for standard output. */
  readonly file: string;
  /**
   * While the file refuses lines (full disk, size limit): `pause` holds every write to Genesys
   * until the waiting lines are written; `continue` goes on writing (lines wait in memory).
   */
  readonly onWriteFailure: AuditWriteFailureMode;
}

/** The root of the keys that sign the marker and the audit hashes. */
export interface SigningConfig {
  /**
   * The root secret (`${ENV}` or `${credential:NAME}`; at least 16 characters). Absent: derived
   * from `genesys.clientSecret`, so restarts and instances sharing an OAuth client agree.
   */
  readonly key?: string;
}

/** A resolved `HOST:PORT` (IPv6 hosts without brackets). */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Health, readiness and metrics over HTTP. */
export interface HttpConfig {
  /** Where to listen, or `off`. */
  readonly listen: ListenAddress | 'off';
}

/** Liveness of the notification websockets. */
export interface StreamConfig {
  /** Silence (no frame at all; Genesys heartbeats every ~30 s) after which the daemon pings. */
  readonly heartbeatTimeoutMs: number;
  /** How long a ping may go unanswered before the socket is replaced. */
  readonly pongTimeoutMs: number;
  /** From dialling a socket to its handshake completing. */
  readonly connectTimeoutMs: number;
  /** First delay before reconnecting after a failure (it grows, with jitter, up to `reconnectMaxMs`). */
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
}

/** The periodic safety-net backfill. */
export interface BackfillConfig {
  /** Time between two backfills; 0 disables the periodic run (gaps still trigger one). */
  readonly intervalMs: number;
}

/** The enrichment pipeline. */
export interface PipelineConfig {
  /** Capacity of the bounded queue between detection and the pipeline. */
  readonly queueSize: number;
  /** How long a stop waits for in-flight enrichments. */
  readonly drainTimeoutMs: number;
  /** Wait before the second try after a transient failure (CRM down, Genesys 5xx); it doubles per try. */
  readonly retryDelayMs: number;
  /** Tries per conversation before it is audited as failed. */
  readonly maxAttempts: number;
  /** After the tries are used up: rest before the daemon looks at a still-live conversation again. */
  readonly retryAfterMs: number;
}

/** Cluster mode: the cluster's own options (typed once, in src/cluster/options.ts). */
export type ClusterConfig = ClusterOptions;

/** The operational log. */
export interface LogConfig {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Field names to redact in addition to the built-in ones. */
  readonly redactFields: readonly string[];
}

/** The fully resolved config (every default applied), deeply frozen. */
export interface EnricherConfig {
  readonly genesys: GenesysConfig;
  /** At least one queue, no duplicates. */
  readonly queues: readonly QueueRef[];
  /** Media types watched; non-empty, no duplicates. */
  readonly media: readonly MediaType[];
  readonly trigger: Trigger;
  readonly target: Target;
  readonly flow: FlowRef;
  readonly crm: CrmConfig;
  readonly attributes: AttributesConfig;
  readonly identity: IdentityConfig;
  readonly analytics: AnalyticsConfig;
  readonly audit: AuditConfig;
  readonly signing: SigningConfig;
  readonly http: HttpConfig;
  readonly stream: StreamConfig;
  readonly backfill: BackfillConfig;
  readonly pipeline: PipelineConfig;
  readonly log: LogConfig;
  /** Several instances sharing budget, claims and done-set through Redis; absent: one instance, no Redis. */
  readonly cluster?: ClusterConfig;
  /** Things worth telling the operator that are not errors (e.g. an inline client secret). Absent when none. */
  readonly warnings?: readonly string[];
}

/** The shape of `CONFIG_DEFAULTS`: the defaulted options, as written in the file (before resolving). */
export interface ConfigDefaults {
  readonly genesys: Pick<GenesysLimits, 'requestsPerMinute' | 'maxConcurrentRequests' | 'timeoutMs' | 'retryAfterCapMs'>;
  readonly media: readonly MediaType[];
  readonly trigger: Trigger;
  readonly target: Target;
  readonly crm: Pick<CrmConfig, 'headers' | 'timeoutMs' | 'maxConcurrent' | 'cache' | 'circuitBreaker'>;
  readonly attributes: Pick<AttributesConfig, 'prefix' | 'maxValueLength'>;
  readonly identity: IdentityConfig;
  readonly analytics: Pick<AnalyticsConfig, 'timeoutMs'>;
  readonly audit: { readonly file: string; readonly onWriteFailure: AuditWriteFailureMode };
  readonly http: { readonly listen: string };
  readonly stream: StreamConfig;
  readonly backfill: BackfillConfig;
  readonly pipeline: PipelineConfig;
  readonly log: LogConfig;
  readonly cluster: Pick<ClusterConfig, 'leaseMs' | 'doneRetentionMs' | 'heartbeatMs' | 'connectTimeoutMs'>;
}
