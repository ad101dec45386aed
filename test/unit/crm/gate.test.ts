import { describe, expect, it } from 'vitest';
import { ConcurrencyGate } from '../../../src/crm/gate.js';

describe('ConcurrencyGate', () => {
  it('admits up to the limit and then in FIFO order as slots free up', async () => {
    const gate = new ConcurrencyGate(2);
    const order: number[] = [];
    const releases = await Promise.all([gate.acquire(), gate.acquire()]);
    const waiting = [3, 4, 5].map((n) => gate.acquire().then((release) => { order.push(n); return release; }));
    expect([gate.active, gate.waiting]).toEqual([2, 3]);
    releases[0]();
    releases[0](); // a second release of the same slot must not free another
    const third = await waiting[0]!;
    expect([gate.active, gate.waiting]).toEqual([2, 2]);
    third();
    releases[1]();
    await Promise.all(waiting.slice(1));
    expect(order).toEqual([3, 4, 5]);
    expect(gate.active).toBe(2);
  });

  it('drops a waiter whose signal aborts, with the signal reason', async () => {
    const gate = new ConcurrencyGate(1);
    const held = await gate.acquire();
    const controller = new AbortController();
    const waiter = gate.acquire(controller.signal);
    controller.abort(new Error('too late'));
    await expect(waiter).rejects.toThrow('too late');
    expect(gate.waiting).toBe(0);
    held();
    expect(gate.active).toBe(0);
    const already = new AbortController();
    already.abort(new Error('gone'));
    await expect(gate.acquire(already.signal)).rejects.toThrow('gone');
  });

  it('lets waiters in at once when the limit is raised', async () => {
    const gate = new ConcurrencyGate(1);
    await gate.acquire();
    const waiters = [gate.acquire(), gate.acquire()];
    expect(gate.waiting).toBe(2);
    gate.setLimit(3);
    await Promise.all(waiters);
    expect([gate.active, gate.waiting]).toEqual([3, 0]);
  });
});
