/**
 * A log-safe summary of a resolved config: what the daemon will do, without secrets (client
 * credentials, header values, URL credentials or query values, or anything a `${...}` reference
 * resolved to).
 */
import { describeRedisTarget } from '../cluster/options.js';
import { templatePlaceholders } from './urls.js';
import type { EnricherConfig } from './types.js';

// Values that `${...}` references resolved to, per config object, so the summary can mask them
// wherever they ended up (a token in a URL path, say).
const substitutedByConfig = new WeakMap<EnricherConfig, readonly string[]>();

/** Records the values references resolved to, for {@link describeConfig}. Called by the parser. */
export function rememberSubstitutedValues(config: EnricherConfig, values: readonly string[]): void {
  // Longest first, so that a secret containing another one is masked whole.
  substitutedByConfig.set(config, [...new Set(values)].sort((a, b) => b.length - a.length));
}

// String surgery rather than URL parsing: templates hold placeholders, and nothing may be re-encoded.
function safeUrl(raw: string, mask: (s: string) => string): string {
  const withoutFragment = raw.split('#', 1)[0] ?? '';
  const q = withoutFragment.indexOf('?');
  const base = (q < 0 ? withoutFragment : withoutFragment.slice(0, q)).replace(/\/\/[^/@]*@/, '//');
  const params = (q < 0 ? '' : withoutFragment.slice(q + 1))
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [name = '', value = ''] = pair.split('=', 2);
      return `${name}=${/^\{[^{}]*\}$/.test(value) ? value : '…'}`;
    });
  return mask(params.length === 0 ? base : `${base}?${params.join('&')}`);
}

/** A plain object for a log line: the config minus everything that could be a secret. */
export function describeConfig(config: EnricherConfig): Record<string, unknown> {
  const secrets = substitutedByConfig.get(config) ?? [];
  const mask = (s: string): string => secrets.reduce((acc, secret) => acc.split(secret).join('***'), s);
  const { genesys, flow, crm, attributes, analytics, http } = config;
  return {
    genesys: {
      ...(genesys.region !== undefined ? { region: genesys.region } : { gatewayUrl: safeUrl(genesys.gatewayUrl, mask) }),
      requestsPerMinute: genesys.requestsPerMinute,
      maxConcurrentRequests: genesys.maxConcurrentRequests,
      timeoutMs: genesys.timeoutMs,
      retryAfterCapMs: genesys.retryAfterCapMs,
    },
    queues: config.queues.map((q) => (q.id !== undefined ? { id: q.id } : { name: mask(q.name) })),
    media: config.media,
    trigger: config.trigger,
    target: config.target,
    flow:
      flow.id !== undefined
        ? { id: flow.id }
        : flow.name !== undefined
          ? { name: mask(flow.name) }
          : { inlineSchemaInputs: Object.keys(flow.schema.properties) },
    crm: {
      url: safeUrl(crm.url, mask),
      placeholders: templatePlaceholders(crm.url),
      headerNames: Object.keys(crm.headers),
      timeoutMs: crm.timeoutMs,
      maxConcurrent: crm.maxConcurrent,
      cache: crm.cache,
      circuitBreaker: crm.circuitBreaker,
    },
    attributes: {
      inputs: Object.keys(attributes.map),
      prefix: mask(attributes.prefix),
      maxValueLength: attributes.maxValueLength,
    },
    identity: Object.fromEntries(Object.entries(config.identity).map(([media, sources]) => [media, sources.map(mask)])),
    analytics: {
      webhookUrl: analytics.webhookUrl === undefined ? 'off' : safeUrl(analytics.webhookUrl, mask),
      timeoutMs: analytics.timeoutMs,
    },
    audit: { file: mask(config.audit.file) },
    http: { listen: http.listen === 'off' ? 'off' : `${http.listen.host}:${http.listen.port}` },
    stream: config.stream,
    backfill: config.backfill,
    pipeline: config.pipeline,
    log: config.log,
    ...(config.cluster !== undefined && {
      cluster: {
        name: mask(config.cluster.name),
        redis: mask(describeRedisTarget(config.cluster.redis)),
        leaseMs: config.cluster.leaseMs,
        doneRetentionMs: config.cluster.doneRetentionMs,
        heartbeatMs: config.cluster.heartbeatMs,
        connectTimeoutMs: config.cluster.connectTimeoutMs,
      },
    }),
    warnings: config.warnings?.length ?? 0,
  };
}
