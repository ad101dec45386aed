/** Shapes shared by the CRM lookup and its callers (the enrichment pipeline, `check`, metrics). */

/**
 * How a lookup was answered: `hit` = from a fresh cache entry; `miss` = fetched from the CRM now;
 * `stale` = the CRM failed or was too slow and an expired cached value was used; `timeout` and
 * `error` = no value at all.
 */
export type CrmOutcome = 'hit' | 'miss' | 'stale' | 'timeout' | 'error';

/**
 * Why a lookup (or the call behind it) failed, as a short code safe for logs, metrics and the
 * audit trail: it never carries customer data, URLs or header values.
 */
export type CrmFailure =
  | 'no-lookup-key'
  | 'invalid-lookup-key'
  | 'circuit-open'
  | 'timeout'
  | 'network'
  | 'bad-response'
  | 'too-large'
  | 'closed'
  | 'internal'
  | `http-${number}`;

/** What a lookup may use to build the CRM URL. */
export interface CrmContext {
  readonly phone?: string | undefined;
  readonly email?: string | undefined;
  /** The external contact Genesys matched, for `{externalContactId}`. */
  readonly externalContactId?: string | undefined;
  readonly conversationId: string;
  readonly queueId: string;
  /** Participant attributes, for `{attr:NAME}` placeholders. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** The answer of one lookup. */
export interface CrmResult {
  readonly outcome: CrmOutcome;
  /** True when the CRM knows the customer (a record is present). */
  readonly found: boolean;
  /** The CRM's JSON answer (deep-frozen: it is shared with the cache). */
  readonly record?: unknown;
  readonly latencyMs: number;
  /** Set for `timeout`/`error`, and for `stale` to say why the CRM was not used. */
  readonly error?: CrmFailure;
  /** For `no-lookup-key`/`invalid-lookup-key`: the template placeholder at fault, as written (never its value). */
  readonly placeholder?: string;
}

/** What the cache holds for one URL: a record, or the CRM's "no such customer". */
export type CrmEntry = { readonly found: true; readonly record: unknown } | { readonly found: false };
