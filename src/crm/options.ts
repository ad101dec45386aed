/** Options of the CRM client, typed once; the few internal defaults are defined once here. */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { CrmError } from './errors.js';
import { checkCrmTemplate } from './template.js';

/** How to reach the CRM and how hard to try. */
export interface CrmOptions {
  /** URL template (see `renderCrmUrl`); the rendered URL is also the cache key. */
  readonly url: string;
  /** Request headers; their values are secrets and never logged. */
  readonly headers: Readonly<Record<string, string>>;
  /** How long a lookup waits for the CRM before it answers from the stale cache or gives up. */
  readonly timeoutMs: number;
  /** Most CRM calls in flight at once; further calls queue. */
  readonly maxConcurrent: number;
  readonly cache: {
    /** Most entries kept. */
    readonly max: number;
    /** How long a record is fresh. */
    readonly ttlMs: number;
    /** How long "not found" is fresh; 0 turns negative caching off. */
    readonly notFoundTtlMs: number;
  };
  readonly circuitBreaker: {
    /** Consecutive failed calls that open the breaker. */
    readonly failureThreshold: number;
    /** How long it stays open before one probe may pass. */
    readonly openMs: number;
  };
  /**
   * Hard limit of one CRM call, queue wait included. Longer than `timeoutMs` on purpose: a call
   * that outlives its lookup may still refresh the cache for the next one. Default: 5 x timeoutMs.
   */
  readonly refreshTimeoutMs?: number;
}

/** Internal constants of the CRM client. */
export const CRM_DEFAULTS = {
  /** `refreshTimeoutMs` = this x `timeoutMs` unless set. */
  refreshTimeoutFactor: 5,
  /** Larger CRM answers are refused as `too-large`. */
  maxBodyBytes: 1_048_576,
  /** lru-cache reads 0 as "never expires", so negative caching "off" keeps an entry this long. */
  notFoundOffTtlMs: 1,
} as const satisfies Record<string, number>;

/** The call limit actually used. */
export function refreshTimeoutMs(opts: CrmOptions): number {
  return opts.refreshTimeoutMs ?? opts.timeoutMs * CRM_DEFAULTS.refreshTimeoutFactor;
}

/** The not-found TTL actually given to the cache. */
export function notFoundTtlMs(opts: CrmOptions): number {
  return opts.cache.notFoundTtlMs === 0 ? CRM_DEFAULTS.notFoundOffTtlMs : opts.cache.notFoundTtlMs;
}

function positiveInt(value: number, min: number): boolean {
  return Number.isSafeInteger(value) && value >= min;
}

/** Problems with the options (empty when usable). Names keys, never header values. */
export function checkCrmOptions(opts: CrmOptions): string[] {
  const problems = checkCrmTemplate(opts.url).map((p) => `url: ${p}`);
  const ints: [string, number, number][] = [
    ['timeoutMs', opts.timeoutMs, 1],
    ['maxConcurrent', opts.maxConcurrent, 1],
    ['cache.max', opts.cache.max, 1],
    ['cache.ttlMs', opts.cache.ttlMs, 1],
    ['cache.notFoundTtlMs', opts.cache.notFoundTtlMs, 0],
    ['circuitBreaker.failureThreshold', opts.circuitBreaker.failureThreshold, 1],
    ['circuitBreaker.openMs', opts.circuitBreaker.openMs, 1],
  ];
  if (opts.refreshTimeoutMs !== undefined) ints.push(['refreshTimeoutMs', opts.refreshTimeoutMs, opts.timeoutMs]);
  for (const [key, value, min] of ints) {
    if (!positiveInt(value, min)) problems.push(`${key}: must be an integer >= ${min}`);
  }
  for (const [name, value] of Object.entries(opts.headers)) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      // Node's message may quote the value: report the header name only.
      problems.push(`headers.${name}: not a valid HTTP header`);
    }
  }
  return problems;
}

/** Throws {@link CrmError} `crm.options-invalid` listing every problem. */
export function assertCrmOptions(opts: CrmOptions): void {
  const problems = checkCrmOptions(opts);
  if (problems.length > 0) throw new CrmError('options-invalid', `invalid CRM options: ${problems.join('; ')}`);
}
