import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ActivityEntity } from '../../../src/genesys/client.js';
import type { Logger } from '../../../src/log.js';
import { Backfiller } from '../../../src/enrich/backfill.js';
import { ClaimSet } from '../../../src/enrich/claims.js';

/** A logger that keeps its info lines. */
function recordingLogger(lines: { message: string; fields: Record<string, unknown> | undefined }[]): Logger {
  const logger: Logger = {
    debug: () => undefined,
    info: (message, fields) => lines.push({ message, fields }),
    warn: () => undefined,
    error: () => undefined,
    child: () => logger,
  };
  return logger;
}

describe('Backfiller progress', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs the start, then fetched, written and remaining every few seconds, then the end', async () => {
    vi.useFakeTimers();
    const lines: { message: string; fields: Record<string, unknown> | undefined }[] = [];
    const entities: ActivityEntity[] = Array.from({ length: 20 }, (_, i) => ({ conversationId: `c${i}`, queueId: 'q1', metric: 'oInteracting' }));
    let written = 100;
    const backfill = new Backfiller(
      { queueIds: ['q1'], trigger: 'agent-connected', intervalMs: 0, debounceMs: 5, progressEveryMs: 5_000 },
      {
        api: {
          activeConversations: () => Promise.resolve({ entities, truncated: false }),
          // Each GET takes 2 s; eight at a time: 20 conversations take three rounds (6 s).
          getConversation: (id) => new Promise((resolve) => setTimeout(() => { resolve({ id } as never); }, 2_000)),
        },
        enricher: { claims: new ClaimSet(100), offer: () => { written++; } },
        logger: recordingLogger(lines),
        written: () => written,
      },
    );
    const run = backfill.runNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(lines).toEqual([{ message: 'catch-up started', fields: { live: 20, toFetch: 20 } }]);
    await vi.advanceTimersByTimeAsync(5_000);
    // At 5 s: two rounds done (16 fetched), the third round's four taken (none left to start).
    expect(lines[1]).toEqual({ message: 'catch-up progress', fields: { fetched: 16, written: 16, remaining: 0 } });
    await vi.advanceTimersByTimeAsync(1_000);
    await run;
    expect(lines[2]).toEqual({ message: 'catch-up done', fields: { live: 20, fetched: 20, written: 20, remaining: 0 } });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(lines).toHaveLength(3);
  });

  it('says nothing when there is nothing to fetch', async () => {
    const lines: { message: string; fields: Record<string, unknown> | undefined }[] = [];
    const backfill = new Backfiller(
      { queueIds: ['q1'], trigger: 'agent-connected', intervalMs: 0, debounceMs: 5 },
      {
        api: { activeConversations: () => Promise.resolve({ entities: [], truncated: false }), getConversation: () => Promise.reject(new Error('no')) },
        enricher: { claims: new ClaimSet(100), offer: () => undefined },
        logger: recordingLogger(lines),
      },
    );
    await backfill.runNow();
    expect(lines).toEqual([]);
  });
});
