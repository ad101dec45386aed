/**
 * The fake CRM's customers: invented, deterministic records derived from a hash of the lookup
 * key (a phone number or e-mail address) and a seed, so tests and demos see stable data without
 * storing any. About one key in ten is unknown to the CRM.
 */
import { createHash } from 'node:crypto';

/** Seed used when none is given. */
export const DEFAULT_CUSTOMER_SEED = 0;

/** One invented customer, shaped like a typical CRM answer. */
export interface CustomerRecord {
  readonly id: string;
  readonly name: string;
  readonly account: {
    readonly id: string;
    readonly tier: 'gold' | 'silver' | 'bronze';
    readonly balance: number;
    readonly vip: boolean;
    /** Calendar date, `YYYY-MM-DD`. */
    readonly since: string;
    /** ISO timestamp in UTC, whole seconds. */
    readonly lastContactAt: string;
    readonly openTickets: number;
  };
  /** ISO 639-1 code. */
  readonly language: string;
}

const FIRST_NAMES = ['Anna', 'Ben', 'Clara', 'David', 'Eva', 'Felix', 'Greta', 'Hugo', 'Ida', 'Jonas', 'Katrin', 'Lukas', 'Mia', 'Noah', 'Olga', 'Paul'];
const LAST_NAMES = ['Schmidt', 'Meyer', 'Dubois', 'Rossi', 'Jansen', 'Novak', 'Garcia', 'Larsen', 'Kowalski', 'Silva', 'Brown', 'Nakamura'];
const LANGUAGES = ['de', 'en', 'fr', 'nl', 'es', 'it'];
const DAY_MS = 86_400_000;
const SINCE_EPOCH_MS = Date.UTC(2010, 0, 1);
const LAST_CONTACT_EPOCH_MS = Date.UTC(2026, 0, 1);

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length] as T;
}

/** The record the fake CRM answers for `key`, or undefined when it answers 404 (about one key in ten). */
export function customerRecord(key: string, seed: number = DEFAULT_CUSTOMER_SEED): CustomerRecord | undefined {
  const h = keyHash(key, seed);
  if ((h[0] ?? 0) % 10 === 0) return undefined;
  return recordFromHash(h);
}

/**
 * The record of a customer entity the CRM knows (always defined): the fake CRM answers it when a
 * lookup resolves to `entityId` through its customer directory.
 */
export function entityRecord(entityId: string, seed: number = DEFAULT_CUSTOMER_SEED): CustomerRecord {
  return recordFromHash(keyHash(entityId, seed));
}

function keyHash(key: string, seed: number): Buffer {
  return createHash('sha256').update(`${seed}\u0000${key}`).digest();
}

function recordFromHash(h: Buffer): CustomerRecord {
  const byte = (i: number): number => h[i] ?? 0;
  const tierRoll = byte(5) % 10;
  return {
    id: `CUS-${h.subarray(1, 5).toString('hex').toUpperCase()}`,
    name: `${pick(FIRST_NAMES, byte(6))} ${pick(LAST_NAMES, byte(7))}`,
    account: {
      id: `ACC-${String(100_000 + (h.readUInt32BE(8) % 900_000))}`,
      tier: tierRoll < 2 ? 'gold' : tierRoll < 5 ? 'silver' : 'bronze',
      balance: (h.readUInt32BE(12) % 1_000_000) / 100,
      vip: byte(16) < 64,
      since: new Date(SINCE_EPOCH_MS + (h.readUInt16BE(17) % 5_000) * DAY_MS).toISOString().slice(0, 10),
      lastContactAt: new Date(LAST_CONTACT_EPOCH_MS + (h.readUInt32BE(19) % (330 * 86_400)) * 1_000)
        .toISOString()
        .replace('.000Z', 'Z'),
      openTickets: byte(23) % 6,
    },
    language: pick(LANGUAGES, byte(24)),
  };
}
