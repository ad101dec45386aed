// The composed caller over fake SDK calls (no sockets): a 429 pauses its family before the next
// call in line may take the freed slot, and the retry decision's unknown-outcome rule holds.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiCaller, PRIORITY } from '../../../src/genesys/caller.js';
import type { TokenSource } from '../../../src/genesys/call-token.js';
import { GenesysNetworkError } from '../../../src/genesys/errors.js';
import { silentLogger } from '../../../src/log.js';
import { waitFor } from '../../helpers/wait-for.js';

const PATCH = 'PATCH /api/v2/conversations/{conversationId}/participants/{participantId}/attributes';
const FAST = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRateLimitAttempts: 5 };

/** A token that is always held, or (`fresh`) one the manager would log in for first: such calls take the line. */
const held: TokenSource = { generation: 1, valid: () => true, ensure: () => Promise.resolve(), invalidate: () => Promise.resolve() };
const fresh: TokenSource = { ...held, valid: () => false };

let caller: ApiCaller | undefined;
afterEach(async () => {
  await caller?.close();
  caller = undefined;
});

function callerWith(maxConcurrentRequests: number, tokens = held): ApiCaller {
  caller = new ApiCaller({ requestsPerMinute: 1_000_000, maxConcurrentRequests, windowMs: 60_000, retry: FAST }, { tokens, logger: silentLogger });
  return caller;
}

/** What the SDK rejects with for a 429 asking for a minute (its fields on an Error). */
const tooMany = Object.assign(new Error('429'), { status: 429, headers: { 'retry-after': '60' }, body: { message: 'rate limited' } });
const ok = { status: 202, headers: {}, body: {} };

describe('ApiCaller', () => {
  it.each([
    ['calls that went at once', held],
    ['calls that took the line', fresh],
  ])('pauses the family on a 429 before a call waiting for the same slot may go (%s)', async (_name, tokens) => {
    const c = callerWith(1, tokens);
    const sent: string[] = [];
    let refuse: () => void = () => undefined;
    const first = c.call(PATCH, PRIORITY.write, () => {
      sent.push('first');
      return new Promise((_resolve, reject) => {
        refuse = () => { reject(tooMany); };
      });
    }).catch((err: unknown) => err);
    const waiting = ['second', 'third'].map((name) =>
      c.call(PATCH, PRIORITY.write, () => {
        sent.push(name);
        return Promise.resolve(ok);
      }).catch((err: unknown) => err),
    );
    // The 429 comes while the others wait in line for the slot the first one holds.
    await waitFor(() => sent.length === 1 && c.queued() === 2, { what: 'two calls in line' });
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    refuse();
    await waitFor(() => (c.pauses().find((p) => p.family === 'writes')?.remainingMs ?? 0) > 0, { what: 'the writes pause' });
    // Give the freed slot every chance to be taken (several turns of the event loop).
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual(['first']);
    await c.close();
    for (const outcome of await Promise.all([first, ...waiting])) expect(outcome).toMatchObject({ reason: 'closed' });
  });

  it('does not send a call again after a network error when its outcome may not be retried', async () => {
    const c = callerWith(2);
    let sends = 0;
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const once = await c.call(PATCH, PRIORITY.write, () => (++sends, Promise.reject(reset)), { retryUnknownOutcome: false }).catch((err: unknown) => err);
    expect(once).toBeInstanceOf(GenesysNetworkError);
    expect(sends).toBe(1);
    const read = await c.call('GET /api/v2/flows/{flowId}', PRIORITY.control, () => (++sends, Promise.reject(reset))).catch((err: unknown) => err);
    expect(read).toBeInstanceOf(GenesysNetworkError);
    expect(sends).toBe(1 + FAST.maxAttempts);
  });
});
