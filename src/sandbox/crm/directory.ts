/**
 * The fake CRM's customer directory: each sandbox customer the CRM knows is one entity, found by
 * any of its identifiers (E.164 phone, e-mail, external contact id). The traffic generator
 * registers customers as it invents them; the fake CRM resolves lookups through it.
 */

/** The kinds of key a customer can be found by. */
export type IdentifierKind = 'phone' | 'email' | 'externalContactId';

/** A customer's identifiers, any of which may be missing. */
export interface CustomerIdentifiers {
  readonly phone?: string | undefined;
  readonly email?: string | undefined;
  readonly externalContactId?: string | undefined;
}

/** Entities kept before the oldest registrations are forgotten (long sandbox runs stay bounded). */
const DEFAULT_MAX_ENTITIES = 100_000;

/**
 * The canonical form of an identifier, or undefined when the value is not one of that kind:
 * phones as E.164 (`tel:`, `sip:` and separators stripped), e-mails lower case without `mailto:`.
 */
export function normalizeIdentifier(kind: IdentifierKind, raw: string): string | undefined {
  const value = raw.trim();
  if (value === '') return undefined;
  switch (kind) {
    case 'phone': {
      const bare = value.replace(/^(tel|sip|sips):/i, '').replace(/@.*$/, '').replace(/[\s().-]/g, '');
      return /^\+[1-9]\d{5,14}$/.test(bare) ? bare : undefined;
    }
    case 'email': {
      const bare = value.replace(/^mailto:/i, '').toLowerCase();
      return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(bare) ? bare : undefined;
    }
    case 'externalContactId':
      return value;
  }
}

/** Identifier -> entity id, for the customers the CRM knows. */
export class CustomerDirectory {
  private readonly byKey = new Map<string, string>();
  private readonly keysOf = new Map<string, string[]>();

  constructor(private readonly maxEntities: number = DEFAULT_MAX_ENTITIES) {}

  /** Makes `entityId` findable by each identifier given (a later registration of a key wins). */
  register(entityId: string, ids: CustomerIdentifiers): void {
    const keys: string[] = [];
    for (const kind of ['phone', 'email', 'externalContactId'] as const) {
      const raw = ids[kind];
      const norm = raw === undefined ? undefined : normalizeIdentifier(kind, raw);
      if (norm !== undefined) keys.push(`${kind}:${norm}`);
    }
    const known = this.keysOf.get(entityId);
    this.keysOf.delete(entityId);
    this.keysOf.set(entityId, [...new Set([...(known ?? []), ...keys])]);
    for (const key of keys) this.byKey.set(key, entityId);
    while (this.keysOf.size > this.maxEntities) this.forgetOldest();
  }

  /**
   * The entity a lookup finds: the first non-empty of externalContactId, phone, email decides
   * (the others are ignored, as a CRM search on one field would). Undefined: unknown customer.
   */
  find(query: CustomerIdentifiers): string | undefined {
    const decisive = decisiveKey(query);
    if (decisive === undefined) return undefined;
    const norm = normalizeIdentifier(decisive.kind, decisive.value);
    return norm === undefined ? undefined : this.byKey.get(`${decisive.kind}:${norm}`);
  }

  /** Entities registered. */
  get size(): number {
    return this.keysOf.size;
  }

  private forgetOldest(): void {
    const first = this.keysOf.keys().next();
    if (first.done === true) return;
    const entityId = first.value;
    for (const key of this.keysOf.get(entityId) ?? []) if (this.byKey.get(key) === entityId) this.byKey.delete(key);
    this.keysOf.delete(entityId);
  }
}

/** The query field that decides a lookup: the first non-empty of externalContactId, phone, email. */
export function decisiveKey(query: CustomerIdentifiers): { kind: IdentifierKind; value: string } | undefined {
  for (const kind of ['externalContactId', 'phone', 'email'] as const) {
    const value = query[kind];
    if (value !== undefined && value.trim() !== '') return { kind, value };
  }
  return undefined;
}
