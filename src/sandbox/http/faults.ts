/**
 * Fault injection for the REST API: answer the next N calls, or a share of calls, of one
 * endpoint (or of every endpoint, `*`) with a 429 or a 5xx, and add latency.
 */
import { ApiFailure } from './router.js';
import { tooManyRequests } from './rate-limit.js';

/** A fault rule; `endpoint` is a route pattern such as `/api/v2/conversations/{conversationId}` or `*`. */
export interface FaultRule {
  readonly endpoint: string;
  /** HTTP method to match; all methods when omitted. */
  readonly method?: string;
  readonly status: number;
  /** Answer this many matching calls, then stop. */
  readonly count?: number;
  /** Answer this share (0..1) of matching calls, until cleared. */
  readonly share?: number;
  /** `Retry-After` seconds for 429s. */
  readonly retryAfterS?: number;
}

interface ActiveRule extends FaultRule {
  remaining: number;
}

/** Holds the active fault rules and latencies. */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  private readonly latencies = new Map<string, number>();
  /** Faults answered so far, by status. */
  readonly injected = new Map<number, number>();

  constructor(private readonly random: () => number = Math.random) {}

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, remaining: rule.count ?? Number.POSITIVE_INFINITY });
  }

  /** Adds `ms` of latency to `endpoint` (or `*`); 0 removes it. */
  setLatency(endpoint: string, ms: number): void {
    if (ms > 0) this.latencies.set(endpoint, ms);
    else this.latencies.delete(endpoint);
  }

  clear(): void {
    this.rules = [];
    this.latencies.clear();
  }

  latencyFor(endpoint: string): number {
    return (this.latencies.get(endpoint) ?? 0) + (this.latencies.get('*') ?? 0);
  }

  /** Throws the injected failure for this call, if a rule fires. */
  check(method: string, endpoint: string): void {
    for (const rule of this.rules) {
      if (rule.endpoint !== '*' && rule.endpoint !== endpoint) continue;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.remaining <= 0) continue;
      if (rule.share !== undefined && this.random() >= rule.share) continue;
      rule.remaining--;
      this.injected.set(rule.status, (this.injected.get(rule.status) ?? 0) + 1);
      if (rule.status === 429) throw tooManyRequests(rule.retryAfterS ?? 1);
      throw new ApiFailure(rule.status, rule.status === 503 ? 'service.unavailable' : 'internal.server.error', 'Injected sandbox fault');
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
  }
}
