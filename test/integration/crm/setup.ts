import { CrmClient } from '../../../src/crm/client.js';
import type { CrmOptions } from '../../../src/crm/options.js';
import type { CrmContext } from '../../../src/crm/types.js';
import { customerRecord } from '../../../src/sandbox/crm/records.js';
import { RecordingLogger } from './recording-logger.js';

/** Options for tests: generous limits unless a test narrows them. */
export function crmOptions(url: string, patch: Partial<CrmOptions> = {}): CrmOptions {
  return {
    url,
    headers: {},
    timeoutMs: 2_000,
    maxConcurrent: 8,
    cache: { max: 1_000, ttlMs: 60_000, notFoundTtlMs: 1_000 },
    circuitBreaker: { failureThreshold: 100, openMs: 200 },
    ...patch,
  };
}

/** A hand-driven clock for cache ages (timeouts and latencies stay real). */
export class ManualClock {
  t = 1_000;
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A client with a recording logger; `clock` drives cache ages and the breaker when given. */
export function makeClient(opts: CrmOptions, clock?: ManualClock): { client: CrmClient; logger: RecordingLogger } {
  const logger = new RecordingLogger();
  const client = new CrmClient(opts, clock === undefined ? { logger } : { logger, now: clock.now });
  return { client, logger };
}

let serial = 0;
/** A fresh phone number the fake CRM knows (`found`) or answers 404 for (`!found`). */
export function phoneKey(found = true): string {
  for (;;) {
    serial += 1;
    const phone = `+4930${String(serial).padStart(7, '0')}`;
    if ((customerRecord(phone) !== undefined) === found) return phone;
  }
}

/** A lookup context for one phone number (or e-mail address). */
export function ctx(key: { phone?: string; email?: string }): CrmContext {
  return { ...key, conversationId: 'conv-1', queueId: 'queue-1', attributes: {} };
}
