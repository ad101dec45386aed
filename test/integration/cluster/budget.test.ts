import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SharedBudget } from '../../../src/cluster/budget.js';
import { RedisServer, skipWithoutRedis } from '../../helpers/redis-server.js';
import { waitFor } from '../../helpers/wait-for.js';

/** The most timestamps any window [t, t + windowMs) holds. */
function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! < sorted[i]! + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

describe.skipIf(skipWithoutRedis())('shared budget on Redis (Bottleneck clustering)', () => {
  let server: RedisServer;
  const budgets: SharedBudget[] = [];
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterEach(async () => {
    await Promise.all(budgets.splice(0).map((b) => b.close()));
  });
  afterAll(async () => {
    await server.stop();
  });

  async function budget(id: string, requestsPerWindow: number, windowMs: number, onPause?: (family: string, ms: number) => void, instanceId: string = randomUUID()): Promise<SharedBudget> {
    const b = new SharedBudget(
      { id, redis: server.url, requestsPerWindow, windowMs, connectTimeoutMs: 1_000, connectionName: 'budget-test', instanceId, liveInstances: () => 2 },
      onPause ? { onPause } : {},
    );
    budgets.push(b);
    await b.ready(5_000);
    return b;
  }

  it('two instances together never exceed the budget in any sliding window', async () => {
    const id = `budget-${randomUUID()}`;
    const [a, b] = [await budget(id, 20, 1_000), await budget(id, 20, 1_000)];
    const times: number[] = [];
    const byInstance = { a: 0, b: 0 };
    const run = async (who: 'a' | 'b', limiter: SharedBudget, n: number): Promise<void> => {
      await Promise.all(
        Array.from({ length: n }, async () => {
          await limiter.take(5);
          times.push(Date.now());
          byInstance[who]++;
        }),
      );
    };
    const started = Date.now();
    await Promise.all([run('a', a, 30), run('b', b, 30)]);
    const elapsed = Date.now() - started;
    console.log(`shared budget: 60 calls from 2 instances in ${elapsed} ms, busiest 1 s window ${busiestWindow(times, 1_000)} (budget 20, spacing ${a.minTimeMs} ms)`);
    expect(byInstance).toEqual({ a: 30, b: 30 });
    expect(busiestWindow(times, 1_000)).toBeLessThanOrEqual(20);
    // Shared, not each at the full rate: 60 calls need about 59 spacings.
    expect(elapsed).toBeGreaterThanOrEqual(59 * a.minTimeMs * 0.9);
  });

  it('serves live writes before catch-up work on each instance', async () => {
    const id = `budget-${randomUUID()}`;
    // Slow pacing (250 ms apart), so that the catch-up calls surely queue up even on a busy machine.
    const a = await budget(id, 10, 2_000);
    const order: string[] = [];
    const backfill = Array.from({ length: 10 }, (_v, i) => a.take(7).then(() => order.push(`backfill${i}`)));
    await waitFor(() => a.queued() >= 5, { what: 'catch-up calls queued' });
    const writes = Array.from({ length: 3 }, (_v, i) => a.take(1).then(() => order.push(`write${i}`)));
    await Promise.all([...backfill, ...writes]);
    // Calls already booked (at most a few) go first; then the writes, then the rest of the catch-up.
    const firstWrite = order.indexOf('write0');
    expect(order.slice(firstWrite, firstWrite + 3)).toEqual(['write0', 'write1', 'write2']);
    expect(firstWrite).toBeLessThanOrEqual(4);
  });

  it('shares a 429 pause with the other instances', async () => {
    const id = `budget-${randomUUID()}`;
    const heard: string[] = [];
    const a = await budget(id, 20, 1_000, (family, ms) => heard.push(`a:${family}:${ms}`), 'a');
    await budget(id, 20, 1_000, (family, ms) => heard.push(`b:${family}:${ms}`), 'b');
    await budget(id, 20, 1_000, (family, ms) => heard.push(`c:${family}:${ms}`), 'c');
    await a.sharePause('writes', 1_500.2);
    await waitFor(() => heard.length === 2, { what: 'the other instances hear the pause' });
    expect(heard.sort()).toEqual(['b:writes:1501', 'c:writes:1501']);
  });

  it('paces itself at its share of the budget while Redis is down, and shares again when it is back', async () => {
    const id = `budget-${randomUUID()}`;
    const a = await budget(id, 20, 1_000);
    await a.take(1);
    await server.pause();
    try {
      await waitFor(() => !a.connected(), { what: 'disconnect noticed' });
      const times: number[] = [];
      const started = Date.now();
      await Promise.all(Array.from({ length: 12 }, async () => {
        await a.take(1);
        times.push(Date.now());
      }));
      // Share: 20 / 2 live instances = 10 per window.
      expect(busiestWindow(times, 1_000)).toBeLessThanOrEqual(10);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await server.resume();
    }
    await waitFor(() => a.connected(), { timeoutMs: 10_000, what: 'reconnected' });
    await a.ready(5_000);
    await a.take(1);
  });
});
