import { describe, expect, it } from 'vitest';
import { chooseConversation, chooseScript, resolveTraffic } from '../../../src/sandbox/traffic/options.js';
import { CustomerPool, customerWithAddress, inventCustomer, pickAgent, SANDBOX_AGENTS } from '../../../src/sandbox/traffic/people.js';
import { Rng } from '../../../src/sandbox/traffic/random.js';

const SHARES = { abandonShare: 0.1, transferShare: 0.2, requeueShare: 0.1 } as const;

describe('chooseScript', () => {
  it.each([
    // u, v, media, queues, expected
    [0.05, 0.1, 'call', 2, 'ivr-abandon'],
    [0.05, 0.9, 'call', 2, 'abandon'],
    [0.05, 0.1, 'message', 2, 'ivr-abandon'],
    [0.05, 0.1, 'email', 2, 'abandon'],
    [0.05, 0.1, 'callback', 2, 'abandon'],
    [0.15, 0.5, 'chat', 2, 'transfer'],
    [0.15, 0.5, 'chat', 1, 'connect'],
    [0.35, 0.5, 'call', 2, 'requeue'],
    [0.45, 0.5, 'call', 2, 'connect'],
    [0.99, 0.0, 'email', 3, 'connect'],
  ] as const)('u=%d v=%d %s with %d queues -> %s', (u, v, media, queues, expected) => {
    expect(chooseScript(u, v, media, SHARES, queues)).toBe(expected);
  });
});

describe('resolveTraffic', () => {
  const org = ['q1', 'q2'];
  it('fills in defaults', () => {
    const t = resolveTraffic({ ratePerSec: 2 }, org);
    expect(t).toMatchObject({ ratePerSec: 2, queueIds: org, speed: 1, seed: undefined });
    expect(t.media).toContain('call');
  });
  it.each([
    [{ ratePerSec: -1 }, /ratePerSec/],
    [{ ratePerSec: Number.NaN }, /ratePerSec/],
    [{ speed: 0 }, /speed/],
    [{ queueIds: [] }, /at least one queue/],
    [{ queueIds: ['q3'] }, /does not exist/],
    [{ media: ['fax' as never] }, /unknown media/],
    [{ requeueShare: 1.5 }, /requeueShare/],
    [{ abandonShare: 0.5, transferShare: 0.3, requeueShare: 0.3 }, /must not exceed 1/],
  ])('rejects %j', (opts, message) => {
    expect(() => resolveTraffic(opts, org)).toThrow(message);
  });
});

describe('chooseConversation', () => {
  it('picks a transfer target other than the queue and stays within the mix', () => {
    const rng = new Rng(1);
    const t = resolveTraffic({ media: ['email', 'chat'], transferShare: 1, requeueShare: 0, abandonShare: 0 }, ['q1', 'q2', 'q3']);
    for (let i = 0; i < 200; i++) {
      const c = chooseConversation(rng, t);
      expect(['email', 'chat']).toContain(c.media);
      expect(c.script).toBe('transfer');
      expect(c.transferQueueId).toBeDefined();
      expect(c.transferQueueId).not.toBe(c.queueId);
    }
  });
});

describe('people', () => {
  it('invents E.164 mobile numbers with plausible country codes and example.* e-mails', () => {
    const rng = new Rng(123);
    const countries = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const c = inventCustomer(rng);
      expect(c.phone).toMatch(/^tel:\+[1-9]\d{9,14}$/);
      expect(c.email).toMatch(/^[a-z]+\.[a-z]+\d+@example\.(com|org|net)$/);
      expect(c.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
      countries.add(/^tel:\+(1|3\d|4\d)/.exec(c.phone)?.[1] ?? 'other');
    }
    expect(countries.has('other')).toBe(false);
    expect(countries.size).toBeGreaterThan(5);
  });

  it.each([
    [0, 0],
    [0.5, 0.35],
    [1, 0.99],
  ])('brings customers back with share %d', (share, atLeast) => {
    const rng = new Rng(7);
    const pool = new CustomerPool();
    const seen = new Set<string>();
    let repeats = 0;
    for (let i = 0; i < 400; i++) {
      const c = pool.next(rng, share);
      if (seen.has(c.phone)) repeats++;
      seen.add(c.phone);
    }
    expect(repeats / 400).toBeGreaterThanOrEqual(atLeast);
    if (share === 0) expect(repeats).toBe(0);
  });

  it.each([
    ['tel:+4915112345678', 'phone', 'tel:+4915112345678'],
    ['+4915112345678', 'phone', 'tel:+4915112345678'],
    ['kim@example.com', 'email', 'kim@example.com'],
  ] as const)('keeps a given address %s', (address, field, expected) => {
    expect(customerWithAddress(new Rng(1), address)[field]).toBe(expected);
  });

  it('hands a requeue or transfer to a different agent', () => {
    const rng = new Rng(3);
    for (const agent of SANDBOX_AGENTS) expect(pickAgent(rng, agent).userId).not.toBe(agent.userId);
  });
});

describe('Rng', () => {
  it('replays a seed and differs across seeds', () => {
    const a = new Rng(99);
    const b = new Rng(99);
    const c = new Rng(100);
    const draw = (r: Rng) => [r.next(), r.int(1, 6), r.uuid()];
    expect(draw(a)).toEqual(draw(b));
    expect(draw(new Rng(99))).not.toEqual(draw(c));
  });

  it('draws uniformly enough and in range', () => {
    const rng = new Rng(5);
    const counts = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 6000; i++) {
      const n = rng.int(1, 6);
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(6);
      counts[n - 1]!++;
    }
    for (const count of counts) expect(count).toBeGreaterThan(850);
    expect(rng.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const mean = Array.from({ length: 5000 }, () => rng.exponential(200)).reduce((s, x) => s + x, 0) / 5000;
    expect(mean).toBeGreaterThan(180);
    expect(mean).toBeLessThan(220);
  });
});
