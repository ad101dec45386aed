/**
 * The per-token request budget: a fixed window per token (Genesys documents ~300 requests per
 * minute per client-credentials token). Past the budget the answer is the real 429 body with
 * `Retry-After` in whole seconds.
 */
import { ApiFailure } from './router.js';

interface Window {
  start: number;
  count: number;
}

/** Counts requests per token and throws the Genesys 429 past the budget. */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  /** 429s answered because a budget ran out (injected 429s are counted by the fault layer). */
  limited = 0;

  constructor(
    private limit: number,
    private windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Changes the budget (tests and benchmarks scale it with the clock). */
  configure(limit: number, windowMs: number): void {
    this.limit = limit;
    this.windowMs = windowMs;
    this.windows.clear();
  }

  /** Takes one request from `token`'s budget or throws ApiFailure(429). */
  take(token: string): void {
    const now = this.now();
    let w = this.windows.get(token);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(token, w);
    }
    if (w.count >= this.limit) {
      this.limited++;
      const seconds = Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
      throw tooManyRequests(seconds);
    }
    w.count++;
  }
}

/** The 429 Genesys answers, with its message, code and `Retry-After`. */
export function tooManyRequests(seconds: number): ApiFailure {
  return new ApiFailure(
    429,
    'too.many.requests.retry.after',
    `Rate limit exceeded the maximum. Retry the request in [${seconds}] seconds`,
    { 'Retry-After': String(seconds) },
  );
}
