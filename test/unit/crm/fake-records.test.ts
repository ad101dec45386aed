import { describe, expect, it } from 'vitest';
import { customerRecord, type CustomerRecord } from '../../../src/sandbox/crm/records.js';

const keys = Array.from({ length: 2_000 }, (_, i) => `+49301234${String(i).padStart(4, '0')}`);

describe('customerRecord', () => {
  it('is deterministic per key and seed, and differs between seeds', () => {
    expect(customerRecord('anna@example.com')).toEqual(customerRecord('anna@example.com'));
    const bySeed = keys.slice(0, 50).filter((k) => JSON.stringify(customerRecord(k, 1)) !== JSON.stringify(customerRecord(k, 2)));
    expect(bySeed.length).toBeGreaterThan(40);
  });

  it('knows about nine keys in ten', () => {
    const missing = keys.filter((k) => customerRecord(k) === undefined).length / keys.length;
    expect(missing).toBeGreaterThan(0.07);
    expect(missing).toBeLessThan(0.13);
  });

  it('answers records of the documented shape', () => {
    const records = keys.map((k) => customerRecord(k)).filter((r): r is CustomerRecord => r !== undefined);
    for (const r of records.slice(0, 200)) {
      expect(r.id).toMatch(/^CUS-[0-9A-F]{8}$/);
      expect(r.name).toMatch(/^\S+ \S+$/);
      expect(r.account.id).toMatch(/^ACC-\d{6}$/);
      expect(['gold', 'silver', 'bronze']).toContain(r.account.tier);
      expect(r.account.balance).toBeGreaterThanOrEqual(0);
      expect(Math.round(r.account.balance * 100) / 100).toBe(r.account.balance);
      expect(r.account.since).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.account.lastContactAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(r.account.openTickets).toBeGreaterThanOrEqual(0);
      expect(r.language).toMatch(/^[a-z]{2}$/);
    }
    expect(new Set(records.map((r) => r.account.tier)).size).toBe(3);
    expect(new Set(records.map((r) => r.account.vip)).size).toBe(2);
  });
});
