/**
 * The superstruct schema of the config file: which keys exist, their types, ranges and defaults
 * (from `CONFIG_DEFAULTS`), and the checks between keys. `object()` refuses unknown keys at
 * every level, so a misspelt option is an error instead of a silently ignored line.
 */
import { array, boolean, coerce, defaulted, define, dynamic, object, optional, record, refine, string, type, unknown, type Infer, type Struct } from 'superstruct';
import {
  AUDIT_WRITE_FAILURE_MODES,
  CONFIG_DEFAULTS as D,
  LOG_FORMATS,
  LOG_LEVELS,
  MEDIA_TYPES,
  TARGETS,
  TRIGGERS,
  type GenesysRegion,
} from './constants.js';
import { checked, choice, exactlyOne, intRange, text, uuid, zeroOrRange } from './structs.js';
import { checkIdentitySource, type IdentitySource } from '../enrich/identity.js';
import { CLUSTER_NAME_PATTERN, MIN_DONE_RETENTION_MS, checkRedisUrl, type RedisTarget } from '../cluster/options.js';
import { checkCrmUrlTemplate, checkGatewayUrl, checkWebhookUrl, parseListen } from './urls.js';
import { attributeKey, checkJsonPointer, checkRegion, firstDuplicate } from './values.js';

const DAY_MS = 86_400_000;
const timeoutMs = (fallback: number) => defaulted(intRange(1, 600_000), fallback);

const region = coerce(
  define<GenesysRegion>('region', (v) => (typeof v === 'string' ? (checkRegion(v) ?? true) : 'must be a string')),
  string(),
  (s) => s.trim().toLowerCase(),
);

const genesys = exactlyOne(
  object({
    region: optional(region),
    gatewayUrl: optional(checked('gateway-url', checkGatewayUrl)),
    clientId: text(),
    clientSecret: text(),
    requestsPerMinute: defaulted(intRange(1, 10_000), D.genesys.requestsPerMinute),
    maxConcurrentRequests: defaulted(intRange(1, 1_000), D.genesys.maxConcurrentRequests),
    timeoutMs: timeoutMs(D.genesys.timeoutMs),
    retryAfterCapMs: defaulted(intRange(1_000, 3_600_000), D.genesys.retryAfterCapMs),
  }),
  ['region', 'gatewayUrl'],
);

// A short root key would make the marker guessable; 16 characters is the least we accept.
const signingKey = define<string>('signing-key', (v) => (typeof v === 'string' && v.length >= 16) || 'must be a secret of at least 16 characters (use ${ENV_NAME} or ${credential:NAME})');

const queueRef = exactlyOne(object({ name: optional(text()), id: optional(uuid()) }), ['name', 'id']);

const queues = refine(array(queueRef), 'queues', (list, ctx) => {
  if (list.length === 0) return 'must list at least one queue (- name: ... or - id: ...)';
  const dup = firstDuplicate(list, (q) => (q.id !== undefined ? `id:${q.id}` : `name:${q.name ?? ''}`));
  return dup < 0 || { path: [...(ctx.path as unknown[]), dup], message: 'repeats an earlier queue' };
});

const media = defaulted(
  refine(array(choice(MEDIA_TYPES)), 'media', (list, ctx) => {
    if (list.length === 0) return `must list at least one of: ${MEDIA_TYPES.join(', ')}`;
    const dup = firstDuplicate(list, (m) => m);
    return dup < 0 || { path: [...(ctx.path as unknown[]), dup], message: 'repeats an earlier media type' };
  }),
  D.media,
);

// Only the parts the daemon relies on are checked; any other JSON Schema keyword is kept as written.
const inlineSchema = type({
  type: choice(['object']),
  properties: record(string(), record(string(), unknown())),
  required: optional(array(string())),
});

const flow = exactlyOne(object({ id: optional(uuid()), name: optional(text()), schema: optional(inlineSchema) }), [
  'id',
  'name',
  'schema',
]);

const headerName = checked('header-name', (v) =>
  /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(v) ? undefined : 'is not a valid HTTP header name',
);
const headerValue = checked('header-value', (v) =>
  /[\r\n\0]/.test(v) ? 'must not contain line breaks or NUL characters' : undefined,
);

const crm = object({
  url: checked('crm-url', checkCrmUrlTemplate),
  headers: defaulted(record(headerName, headerValue), D.crm.headers),
  timeoutMs: timeoutMs(D.crm.timeoutMs),
  maxConcurrent: defaulted(intRange(1, 1_000), D.crm.maxConcurrent),
  cache: defaulted(
    object({
      max: defaulted(intRange(1, 10_000_000), D.crm.cache.max),
      ttlMs: defaulted(intRange(1, 7 * DAY_MS), D.crm.cache.ttlMs),
      notFoundTtlMs: defaulted(intRange(0, 7 * DAY_MS), D.crm.cache.notFoundTtlMs),
    }),
    {},
  ),
  circuitBreaker: defaulted(
    object({
      failureThreshold: defaulted(intRange(1, 1_000), D.crm.circuitBreaker.failureThreshold),
      openMs: defaulted(intRange(1, DAY_MS), D.crm.circuitBreaker.openMs),
    }),
    {},
  ),
});

/**
 * Flow input name -> JSON pointer. One pass over the entries, not superstruct's `record()`,
 * which builds a validation context per entry: a 200,000-key map took seconds that way.
 */
const attributeMap = define<Record<string, string>>('attribute-map', function* (value, ctx) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    yield { message: 'must be a mapping of flow input names to JSON pointers' };
    return;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) yield { message: 'must map at least one flow input to a JSON pointer' };
  for (const [input, pointer] of entries) {
    const problem = input.trim() === '' ? 'must be a non-empty name' : typeof pointer === 'string' ? checkJsonPointer(pointer) : 'must be a string';
    if (problem !== undefined) yield { path: [...(ctx.path as unknown[]), input], key: input, message: problem };
  }
});

const attributes = refine(
  object({
    map: attributeMap,
    prefix: defaulted(string(), D.attributes.prefix),
    maxValueLength: defaulted(intRange(1, 1_000_000), D.attributes.maxValueLength),
  }),
  'attribute-keys',
  function* (value, ctx) {
    // Two inputs such as "Flow.id" and "id" would write the same key and overwrite each other.
    const written = new Map<string, string>();
    for (const input of Object.keys(value.map)) {
      const key = attributeKey(value.prefix, input);
      const earlier = written.get(key);
      // The path is built only for a problem: this loop runs once per mapped input.
      if (key === '') yield { path: [...(ctx.path as unknown[]), 'map', input], message: 'gives an empty attribute key (set attributes.prefix)' };
      else if (earlier !== undefined) yield { path: [...(ctx.path as unknown[]), 'map', input], message: `writes the same attribute key as "${earlier}"` };
      written.set(key, input);
    }
  },
);

const identitySource = define<IdentitySource>('identity-source', (v) =>
  typeof v === 'string' ? (checkIdentitySource(v) ?? true) : 'must be a string',
);

/** One medium's ordered sources: at least one, none repeated. */
const identitySources = (fallback: readonly IdentitySource[]) =>
  defaulted(
    refine(array(identitySource), 'identity-sources', (list, ctx) => {
      if (list.length === 0) return 'must list at least one source (ani, address, callbackNumbers, externalContact, attr:NAME)';
      const dup = firstDuplicate(list, (s) => (s.startsWith('attr:') ? s.toLowerCase() : s));
      return dup < 0 || { path: [...(ctx.path as unknown[]), dup], message: 'repeats an earlier source' };
    }),
    fallback,
  );

const identity = defaulted(
  object({
    call: identitySources(D.identity.call),
    callback: identitySources(D.identity.callback),
    email: identitySources(D.identity.email),
    chat: identitySources(D.identity.chat),
    message: identitySources(D.identity.message),
  }),
  {},
);

const redisNodes = refine(
  array(object({ host: text(), port: intRange(1, 65_535) })),
  'redis-nodes',
  (list) => list.length > 0 || 'must list at least one node (- host: ... port: ...)',
);

const redisSentinel = object({
  sentinels: redisNodes,
  name: text(),
  username: optional(text()),
  password: optional(text()),
  sentinelPassword: optional(text()),
  db: defaulted(intRange(0, 99), 0),
  tls: defaulted(boolean(), false),
});

const redisCluster = object({
  nodes: redisNodes,
  username: optional(text()),
  password: optional(text()),
  tls: defaulted(boolean(), false),
});

// A URL, or the options of Sentinel (`sentinels`) or Cluster (`nodes`): the shape decides.
const redisUrl = checked('redis-url', checkRedisUrl);
const redisTarget = dynamic<RedisTarget>((value) => {
  const struct = typeof value !== 'object' || value === null ? redisUrl : 'sentinels' in value ? redisSentinel : redisCluster;
  return struct as unknown as Struct<RedisTarget, null>;
});

const cluster = object({
  name: checked('cluster-name', (v) =>
    CLUSTER_NAME_PATTERN.test(v) ? undefined : 'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  ),
  redis: redisTarget,
  leaseMs: defaulted(intRange(1_000, 600_000), D.cluster.leaseMs),
  doneRetentionMs: defaulted(intRange(MIN_DONE_RETENTION_MS, 30 * DAY_MS), D.cluster.doneRetentionMs),
  heartbeatMs: defaulted(intRange(100, 60_000), D.cluster.heartbeatMs),
  connectTimeoutMs: defaulted(intRange(100, 60_000), D.cluster.connectTimeoutMs),
});

const listen = checked('listen', (v) =>
  parseListen(v) === undefined ? 'must be HOST:PORT (e.g. 127.0.0.1:9464 or [::1]:9464) or "off"' : undefined,
);

/** The whole config file. */
export const configStruct = refine(
  object({
    genesys,
    queues,
    media,
    trigger: defaulted(choice(TRIGGERS), D.trigger),
    target: defaulted(choice(TARGETS), D.target),
    flow,
    crm,
    attributes,
    identity,
    analytics: defaulted(
      object({
        webhookUrl: optional(checked('webhook-url', checkWebhookUrl)),
        timeoutMs: timeoutMs(D.analytics.timeoutMs),
      }),
      {},
    ),
    audit: defaulted(object({ file: defaulted(text(), D.audit.file), onWriteFailure: defaulted(choice(AUDIT_WRITE_FAILURE_MODES), D.audit.onWriteFailure) }), {}),
    signing: defaulted(object({ key: optional(signingKey) }), {}),
    http: defaulted(object({ listen: defaulted(listen, D.http.listen) }), {}),
    stream: defaulted(
      object({
        heartbeatTimeoutMs: defaulted(intRange(100, 600_000), D.stream.heartbeatTimeoutMs),
        pongTimeoutMs: defaulted(intRange(100, 600_000), D.stream.pongTimeoutMs),
        connectTimeoutMs: defaulted(intRange(100, 600_000), D.stream.connectTimeoutMs),
        reconnectMinMs: defaulted(intRange(0, 600_000), D.stream.reconnectMinMs),
        reconnectMaxMs: defaulted(intRange(1, 3_600_000), D.stream.reconnectMaxMs),
      }),
      {},
    ),
    backfill: defaulted(object({ intervalMs: defaulted(zeroOrRange(1_000, DAY_MS), D.backfill.intervalMs) }), {}),
    pipeline: defaulted(
      object({
        queueSize: defaulted(intRange(1, 10_000_000), D.pipeline.queueSize),
        drainTimeoutMs: defaulted(intRange(0, 600_000), D.pipeline.drainTimeoutMs),
        retryDelayMs: defaulted(intRange(0, 600_000), D.pipeline.retryDelayMs),
        maxAttempts: defaulted(intRange(1, 100), D.pipeline.maxAttempts),
        retryAfterMs: defaulted(intRange(100, 3_600_000), D.pipeline.retryAfterMs),
      }),
      {},
    ),
    cluster: optional(cluster),
    log: defaulted(
      object({
        level: defaulted(choice(LOG_LEVELS), D.log.level),
        format: defaulted(choice(LOG_FORMATS), D.log.format),
        redactFields: defaulted(array(text()), D.log.redactFields),
      }),
      {},
    ),
  }),
  'flow-inputs',
  function* (config) {
    // With an inline schema the inputs are known now: a mapped input it lacks could never be written.
    const schema = config.flow.schema;
    if (schema === undefined) return;
    for (const input of Object.keys(config.attributes.map)) {
      if (!Object.hasOwn(schema.properties, input)) {
        yield { path: ['attributes', 'map', input], message: 'is not a property of the inline flow.schema' };
      }
    }
  },
);

/** The config as validated, before references to the file system are resolved. */
export type ValidatedConfig = Infer<typeof configStruct>;
