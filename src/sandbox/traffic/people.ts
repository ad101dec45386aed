/**
 * The invented people of the sandbox: customers (names, E.164 mobile numbers with plausible
 * country codes, e-mail addresses on reserved example domains) and a fixed roster of agents.
 * Customers come back now and then so that a CRM cache in front of the lookup sees hits.
 */
import { customerRecord } from '../crm/records.js';
import { normalizeIdentifier } from '../crm/directory.js';
import type { CustomerFacts } from '../org/conversation.js';
import type { Rng } from './random.js';

/** One invented customer; the address used depends on the media. */
export interface Customer extends CustomerFacts {
  readonly name: string;
  /** `tel:+...` (E.164). */
  readonly phone: string;
  /** `name@example.com`-like. */
  readonly email: string;
}

/** Share of invented customers the CRM does not know. */
export const UNKNOWN_CUSTOMER_SHARE = 0.1;
/** Share of invented customers Genesys has as an external contact. */
export const EXTERNAL_CONTACT_SHARE = 0.3;

/** One agent of the sandbox org. */
export interface Agent {
  readonly userId: string;
  readonly name: string;
}

/** The agents who answer sandbox conversations (fixed, like the users of a real org). */
export const SANDBOX_AGENTS: readonly Agent[] = [
  { userId: '3a7f2c91-5b4e-4d8a-9c1f-0e6b8a2d4f71', name: 'Lena Hoffmann' },
  { userId: '8c1d4e72-9a3b-4f5c-8e2d-1b7a6c9f0e83', name: 'Marco Rossi' },
  { userId: 'd5e9b0a4-2c6f-4a1e-b3d8-7f0c9e1a5b26', name: 'Aisha Khan' },
  { userId: '1f6a8d3c-7e2b-4c9d-a5f0-4b8e2d6c1a97', name: 'Jonas Berg' },
  { userId: '6b2e9f05-3d7a-4e1c-9b8f-2a5d0c7e4f18', name: 'Claire Dubois' },
  { userId: 'e0c4a7b9-1f5d-4b3e-8a2c-9d6f1e0b3c54', name: 'Tomás García' },
  { userId: '4d8b1e6a-0c9f-4a7d-b2e5-3f1a8c4d6e09', name: 'Sofia Lindqvist' },
  { userId: 'a9f3c5d2-6e0b-4d8a-9f1c-5e7b2a0d8c35', name: 'Daniel Okafor' },
  { userId: '7e1b0d4f-8a2c-4f6e-a9d3-0c5f7b1e2a60', name: 'Hannah Novak' },
  { userId: 'c2a6e8f1-4b9d-4c0a-8e7f-6d3b9a2c5e12', name: 'Yuki Tanaka' },
];

const FIRST_NAMES = [
  'Anna', 'Ben', 'Clara', 'David', 'Elif', 'Felix', 'Greta', 'Hugo', 'Ines', 'Jan', 'Katja', 'Lukas',
  'Mia', 'Noah', 'Olga', 'Paul', 'Rosa', 'Sven', 'Tara', 'Ugo', 'Vera', 'Willem', 'Yara', 'Zoe',
] as const;
const LAST_NAMES = [
  'Albers', 'Brandt', 'Castell', 'Dorn', 'Engel', 'Falk', 'Gruber', 'Haas', 'Imhof', 'Jansen', 'Keller',
  'Lorenz', 'Moreau', 'Nilsen', 'Ortega', 'Petrov', 'Quint', 'Ruiz', 'Sauer', 'Thiel', 'Unger', 'Voss',
] as const;
const MAIL_DOMAINS = ['example.com', 'example.org', 'example.net'] as const;

/** Mobile number shapes per country: country code, a national prefix list and subscriber digits. */
const MOBILE_PLANS = [
  { cc: '49', prefixes: ['151', '152', '160', '170', '171', '172', '176', '178'], digits: 8 },
  { cc: '44', prefixes: ['7700', '7911', '7400', '7520'], digits: 6 },
  { cc: '33', prefixes: ['6', '7'], digits: 8 },
  { cc: '1', prefixes: ['212', '312', '415', '617', '713'], digits: 7 },
  { cc: '31', prefixes: ['6'], digits: 8 },
  { cc: '34', prefixes: ['6', '7'], digits: 8 },
  { cc: '39', prefixes: ['320', '333', '347', '380'], digits: 7 },
  { cc: '41', prefixes: ['76', '78', '79'], digits: 7 },
  { cc: '43', prefixes: ['664', '676', '699'], digits: 7 },
  { cc: '46', prefixes: ['70', '72', '73'], digits: 7 },
] as const;

/** A `tel:+...` E.164 mobile number with a plausible country code. */
export function inventPhone(rng: Rng): string {
  const plan = rng.pick(MOBILE_PLANS);
  return `tel:+${plan.cc}${rng.pick(plan.prefixes)}${rng.digits(plan.digits)}`;
}

/** An invented customer with a fresh name, phone and e-mail. */
export function inventCustomer(rng: Rng): Customer {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const email = `${first}.${last}${rng.int(1, 999)}@${rng.pick(MAIL_DOMAINS)}`.toLowerCase();
  const phone = inventPhone(rng);
  const known = !rng.chance(UNKNOWN_CUSTOMER_SHARE);
  const crmCustomerId = `CRM-${rng.digits(10)}`;
  const externalContactId = rng.chance(EXTERNAL_CONTACT_SHARE) ? rng.uuid() : undefined;
  return {
    name: `${first} ${last}`,
    phone,
    email,
    ...(known && { crmCustomerId }),
    ...(externalContactId !== undefined && { externalContactId }),
  };
}

/** A customer built around a given address (tests ask for a known one). */
export function customerWithAddress(rng: Rng, address: string): Customer {
  const { name, phone, email } = inventCustomer(rng);
  const isEmail = address.includes('@');
  const customer = isEmail
    ? { name, phone, email: address.replace(/^mailto:/, '') }
    : { name, phone: address.startsWith('tel:') ? address : `tel:${address}`, email };
  // The CRM entity of a given address is the address itself, known as the record rule for that key
  // says: so the CRM answers the same with or without the sandbox's directory.
  const key = normalizeIdentifier(isEmail ? 'email' : 'phone', isEmail ? customer.email : customer.phone);
  return key !== undefined && customerRecord(key) !== undefined ? { ...customer, crmCustomerId: key } : customer;
}

/** How many customers are remembered for repeat contacts. */
const POOL_SIZE = 500;

/** Invents customers and sometimes brings back a recent one. */
export class CustomerPool {
  private readonly recent: Customer[] = [];

  /** A recent customer with probability `repeatShare`, else a new one. */
  next(rng: Rng, repeatShare: number): Customer {
    if (this.recent.length > 0 && rng.chance(repeatShare)) return rng.pick(this.recent);
    const customer = inventCustomer(rng);
    this.recent.push(customer);
    if (this.recent.length > POOL_SIZE) this.recent.shift();
    return customer;
  }
}

/** A random agent, other than `not` when given (a requeue or transfer goes to someone else). */
export function pickAgent(rng: Rng, not?: Agent): Agent {
  const candidates = not === undefined ? SANDBOX_AGENTS : SANDBOX_AGENTS.filter((a) => a.userId !== not.userId);
  return rng.pick(candidates);
}
