// Pacing on its own: one concurrency limit, the fast path when nobody waits, priority in the line,
// the budget's spacing, leaving the line on a pause, and closing.
import { afterEach, describe, expect, it } from 'vitest';
import { Pacing, PacingClosed, PausedInLine, PRIORITY, Slots, type Priority } from '../../../src/genesys/pacing.js';
import { waitFor } from '../../helpers/wait-for.js';

/** A send the test finishes by hand. */
interface Held {
  readonly name: string;
  finish(): void;
}

let pacing: Pacing | undefined;

afterEach(async () => {
  await pacing?.close();
  pacing = undefined;
});

/** Pacing with a budget so large that it never waits, unless given. */
function pacingWith(maxConcurrentRequests: number, requestsPerMinute = 1_000_000, windowMs = 60_000): Pacing {
  pacing = new Pacing({ requestsPerMinute, maxConcurrentRequests, windowMs });
  return pacing;
}

/** Runs a call whose send stays on the wire until `finish()`; `sent` lists the sends in order. */
function holdCall(p: Pacing, sent: Held[], name: string, opts: { priority?: Priority; paused?: () => boolean } = {}): Promise<string> {
  return p.run({ priority: opts.priority ?? PRIORITY.control, paused: opts.paused ?? (() => false), mayGoNow: true }, () => {
    return new Promise<string>((resolve) => {
      sent.push({ name, finish: () => { resolve(name); } });
    });
  });
}

function finish(sent: readonly Held[], name: string): void {
  const held = sent.find((h) => h.name === name);
  if (held === undefined) throw new Error(`${name} was not sent`);
  held.finish();
}

describe('Slots', () => {
  it('hands out at most max, and wakes waiters first come, first served', async () => {
    const slots = new Slots(2);
    const signal = new AbortController().signal;
    expect([slots.tryTake(), slots.tryTake(), slots.tryTake()]).toEqual([true, true, false]);
    const order: string[] = [];
    const a = slots.take(signal).then(() => order.push('a'));
    const b = slots.take(signal).then(() => order.push('b'));
    expect(slots.tryTake()).toBe(false);
    slots.release();
    await a;
    expect(order).toEqual(['a']);
    slots.release();
    await b;
    expect(order).toEqual(['a', 'b']);
    expect(slots.inUse()).toBe(2);
  });
});

describe('Pacing', () => {
  it('never has more calls on the wire than maxConcurrentRequests, whichever way they came in', async () => {
    const p = pacingWith(3);
    const sent: Held[] = [];
    let most = 0;
    const calls = Array.from({ length: 10 }, (_, i) => holdCall(p, sent, `c${i}`));
    for (let done = 0; done < 10; done++) {
      await waitFor(() => sent.length > done, { what: `send ${done}` });
      most = Math.max(most, p.inFlight());
      expect(p.inFlight()).toBeLessThanOrEqual(3);
      finish(sent, `c${done}`);
    }
    expect(await Promise.all(calls)).toHaveLength(10);
    expect(most).toBe(3);
    expect(p.inFlight()).toBe(0);
  });

  it('sends at once, without a turn through the line, when a slot and budget are free and nobody waits', async () => {
    const p = pacingWith(1);
    const sent: Held[] = [];
    void holdCall(p, sent, 'first');
    // Synchronously: the send began inside run() itself.
    expect(sent.map((h) => h.name)).toEqual(['first']);
    // The slot is taken: the next call takes the line, so it has not been sent yet.
    const second = holdCall(p, sent, 'second').catch(() => 'closed before its turn');
    expect(sent.map((h) => h.name)).toEqual(['first']);
    expect(p.queued()).toBe(1);
    finish(sent, 'first');
    await waitFor(() => sent.length === 2, { what: 'the second send' });
    finish(sent, 'second');
    expect(await second).toBe('second');
  });

  it('takes the line instead of the fast path when the call says it may not go now', async () => {
    const p = pacingWith(2);
    const sent: Held[] = [];
    const call = p.run({ priority: PRIORITY.write, paused: () => false, mayGoNow: false }, () =>
      new Promise<string>((resolve) => {
        sent.push({ name: 'login-first', finish: () => { resolve('login-first'); } });
      }),
    );
    expect(sent).toEqual([]);
    expect(p.queued()).toBe(1);
    await waitFor(() => sent.length === 1, { what: 'the send after its turn' });
    finish(sent, 'login-first');
    expect(await call).toBe('login-first');
  });

  it('lets live writes that wait in the line pass catch-up work that waits too', async () => {
    const p = pacingWith(1);
    const sent: Held[] = [];
    const first = holdCall(p, sent, 'busy');
    // The head of the line waits for the slot; behind it, catch-up work and then a write arrive.
    const head = holdCall(p, sent, 'head', { priority: PRIORITY.backfill });
    await waitFor(() => p.queued() === 1, { what: 'the head in line' });
    const backfill = holdCall(p, sent, 'backfill', { priority: PRIORITY.backfill });
    const write = holdCall(p, sent, 'write', { priority: PRIORITY.write });
    // Both filed by priority before the slot frees (a write arriving later cannot pass what left).
    await waitFor(() => p.sorted() === 2, { what: 'both sorted into the line' });
    for (const name of ['busy', 'head', 'write', 'backfill']) {
      await waitFor(() => sent.some((h) => h.name === name), { what: name });
      finish(sent, name);
    }
    await Promise.all([first, head, backfill, write]);
    expect(sent.map((h) => h.name)).toEqual(['busy', 'head', 'write', 'backfill']);
  });

  it('spaces calls by the budget, measured where they are sent', async () => {
    // 10 per second, no burst allowance at this size: 1000 / 8.8 = 113.6 ms between sends.
    const p = pacingWith(10, 10, 1_000);
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, () =>
        p.run({ priority: PRIORITY.control, paused: () => false, mayGoNow: true }, () => {
          times.push(Date.now());
          return Promise.resolve();
        }),
      ),
    );
    expect(times).toHaveLength(4);
    // Call i leaves no earlier than i spacings after the first (a late timer may shorten the gap
    // to the next call, never move a call ahead of its time). Whole milliseconds at both ends and a
    // timer that rounds its delay down: at most 2 ms short.
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[0]!).toBeGreaterThanOrEqual(Math.floor(i * (1_000 / 8.8)) - 2);
  });

  it('sends a call whose family pauses while it waits in line away, holding no slot', async () => {
    const p = pacingWith(1);
    const sent: Held[] = [];
    let paused = false;
    const busy = holdCall(p, sent, 'busy');
    const waiting = holdCall(p, sent, 'paused-one', { paused: () => paused }).catch((err: unknown) => err);
    await waitFor(() => p.queued() === 1, { what: 'the call in line' });
    paused = true;
    finish(sent, 'busy');
    expect(await waiting).toBeInstanceOf(PausedInLine);
    await busy;
    expect(p.inFlight()).toBe(0);
    // The slot it would have held is free: the next call goes at once.
    void holdCall(p, sent, 'next');
    expect(sent.map((h) => h.name)).toEqual(['busy', 'next']);
    finish(sent, 'next');
  });

  it('on close, rejects every waiting call at once and lets calls on the wire finish', async () => {
    const p = pacingWith(1);
    const sent: Held[] = [];
    const onWire = holdCall(p, sent, 'on-wire');
    const waiting = [holdCall(p, sent, 'w1'), holdCall(p, sent, 'w2')].map((c) => c.catch((err: unknown) => err));
    await waitFor(() => p.queued() === 2, { what: 'two in line' });
    await p.close();
    const outcomes = await Promise.all(waiting);
    for (const outcome of outcomes) expect(outcome).toBeInstanceOf(Error);
    expect(sent.map((h) => h.name)).toEqual(['on-wire']);
    finish(sent, 'on-wire');
    expect(await onWire).toBe('on-wire');
    await expect(holdCall(p, sent, 'late')).rejects.toBeInstanceOf(PacingClosed);
  });
});
