/**
 * The one judge of every end-to-end test. It reads only what the sandbox and the fake CRM
 * recorded (which conversations were played and connected, which identifiers their customers
 * carried, which writes were applied, which customer the CRM knows and its record) and never the
 * daemon's logs. The daemon's audit trail is judged, not believed: it is parsed strictly and
 * compared with the writes. A conversation is excused only by the sandbox's or the CRM's record.
 */
import { parseAuditStrict, type ParsedAuditLine } from './audit-file.js';
import { expectedAttributes, sameForm, type InputSchema } from './expected-values.js';
import type { ConversationTruth, WriteFact } from './truth.js';

/** Identity sources per medium when the config names none (the identity contract's defaults). */
export const DEFAULT_IDENTITY: Readonly<Record<string, readonly string[]>> = {
  call: ['ani', 'address', 'externalContact'],
  callback: ['callbackNumbers', 'ani', 'address', 'externalContact'],
  email: ['address', 'externalContact'],
  chat: ['externalContact'],
  message: ['address', 'externalContact'],
};

/** A flow input schema and when it was published (epoch ms; the first one from 0). */
export interface SchemaEpoch {
  readonly from: number;
  readonly schema: InputSchema;
}

export interface OracleInput {
  readonly truth: readonly ConversationTruth[];
  readonly writes: readonly WriteFact[];
  /** The fake CRM's record of a customer (undefined: unknown). */
  readonly crmRecordOf: (crmCustomerId: string) => unknown;
  readonly watchedQueueIds: ReadonlySet<string>;
  /** Watched media (default: all). */
  readonly watchedMedia?: ReadonlySet<string>;
  /** Identity sources per medium (default {@link DEFAULT_IDENTITY}). */
  readonly identity?: Readonly<Record<string, readonly string[]>>;
  /** Flow input name -> JSON pointer into the CRM record. */
  readonly map: Readonly<Record<string, string>>;
  readonly prefix: string;
  /** Schemas in publish order. */
  readonly schemas: readonly SchemaEpoch[];
  /** A write this soon after a publish may still use the schema before it (the daemon hears of it by a frame). */
  readonly schemaGraceMs?: number;
  /** The audit file's text. */
  readonly audit: string;
  /** A conversation connected for less than this (by the sandbox's clock) is excused when unwritten. */
  readonly minLiveMs?: number;
  /**
   * Spans in which no write could be made by anyone who obeys the platform and the test's own
   * schedule (epoch ms): a 429 pause of the writes as the sandbox answered it (capped as the config
   * says), the time between a SIGKILL and the restarted daemon's start. A conversation whose whole
   * connected life lies inside one (stretched by `graceMs`, the time a lookup and a write take
   * after it) is excused when unwritten, as `ended-during-<why>`.
   */
  readonly holds?: readonly Hold[];
}

/** A span in which writes were held by the platform or by the test's schedule. */
export interface Hold {
  readonly why: string;
  readonly from: number;
  readonly to: number;
  readonly graceMs: number;
}

/** What the judge found about one conversation. */
export interface Verdict {
  readonly id: string;
  readonly truth: ConversationTruth;
  /** Why it needs no write (from the sandbox's or CRM's record), when it needs none. */
  readonly excuse?: string;
  readonly expected: boolean;
  readonly writes: readonly WriteFact[];
  /** Distinct (marker, values) among its writes: more than one is a double enrichment. */
  readonly distinctWrites: number;
  readonly problems: readonly string[];
  readonly auditLines: readonly ParsedAuditLine[];
}

export interface Judgement {
  readonly verdicts: ReadonlyMap<string, Verdict>;
  readonly expected: string[];
  readonly written: string[];
  readonly missed: string[];
  readonly doubled: string[];
  /** Conversations whose writes or audit lines are wrong (values, target, marker, trail). */
  readonly wrong: { id: string; problems: readonly string[] }[];
  /** Writes to conversations the sandbox never played. */
  readonly strayWrites: WriteFact[];
  readonly auditErrors: string[];
  readonly excused: Map<string, number>;
  /** One line for the test output. */
  summary(): string;
}

/** Excuses under which a write is itself a fault (the daemon wrote what it must not). */
const UNWRITABLE = new Set(['never-connected', 'queue-not-watched', 'media-not-watched', 'no-readable-identifier']);

const markerKeyOf = (prefix: string): string => `${prefix}enricher.traceId`;

function sourceMatches(configured: string, given: string): boolean {
  if (configured.startsWith('attr:') && given.startsWith('attr:')) return configured.toLowerCase() === given.toLowerCase();
  return configured === given;
}

/** Why a conversation needs no write, from the records alone; undefined when it needs one. */
export function excuseOf(t: ConversationTruth, input: OracleInput): string | undefined {
  if (!t.agentConnected) return 'never-connected';
  if (!t.queueIds.some((q) => input.watchedQueueIds.has(q))) return 'queue-not-watched';
  if (input.watchedMedia && !input.watchedMedia.has(t.media)) return 'media-not-watched';
  const sources = (input.identity ?? DEFAULT_IDENTITY)[t.media] ?? [];
  if (!t.identifiers.some((i) => sources.some((s) => sourceMatches(s, i.source)))) return 'no-readable-identifier';
  if (t.crmCustomerId === undefined) return 'crm-unknown';
  const record = input.crmRecordOf(t.crmCustomerId);
  if (record === undefined) return 'crm-unknown';
  const anySchemaWrites = input.schemas.some((s) => Object.keys(expectedAttributes(record, input.map, input.prefix, s.schema)).length > 0);
  if (!anySchemaWrites) return 'no-valid-fields';
  if (input.minLiveMs !== undefined && t.connectedAt !== undefined && t.endedAt !== undefined && t.endedAt - t.connectedAt < input.minLiveMs) return 'ended-too-soon';
  const { connectedAt, endedAt } = t;
  if (connectedAt !== undefined && endedAt !== undefined) {
    const hold = input.holds?.find((h) => connectedAt >= h.from && endedAt <= h.to + h.graceMs);
    if (hold) return `ended-during-${hold.why}`;
  }
  return undefined;
}

/** The schemas a write at `at` may follow: the one in force, and the one before within the grace. */
function schemasAt(at: number, input: OracleInput): InputSchema[] {
  const grace = input.schemaGraceMs ?? 2_000;
  const out: InputSchema[] = [];
  for (let i = input.schemas.length - 1; i >= 0; i--) {
    const s = input.schemas[i];
    if (!s || s.from > at) continue;
    out.push(s.schema);
    if (at - s.from >= grace) break;
  }
  return out;
}

function checkValues(write: WriteFact, record: unknown, input: OracleInput): string | undefined {
  const marker = markerKeyOf(input.prefix);
  const written = Object.entries(write.attributes).filter(([k]) => k !== marker);
  const tried: string[] = [];
  for (const schema of schemasAt(write.at, input)) {
    const expected = expectedAttributes(record, input.map, input.prefix, schema);
    const propertyOf = (key: string): unknown =>
      Object.entries(input.map).map(([name]) => name).filter((name) => (input.prefix + name.replace(/^Flow\./, '')) === key).map((name) => schema.properties?.[name])[0];
    const ok =
      written.length === Object.keys(expected).length &&
      written.every(([k, v]) => expected[k] !== undefined && sameForm(expected[k], v, propertyOf(k)));
    if (ok) return undefined;
    tried.push(JSON.stringify(expected));
  }
  return `values ${JSON.stringify(Object.fromEntries(written))} are not the CRM record's (expected one of ${tried.join(' | ')})`;
}

/** Does the audit line's trace id name this marker (`<traceId>` or `<traceId>.<signature>`)? */
function traceMatches(traceId: string, marker: string | undefined): boolean {
  return marker !== undefined && (marker === traceId || marker.startsWith(`${traceId}.`));
}

/** Judges a run. */
export function judge(input: OracleInput): Judgement {
  const audit = parseAuditStrict(input.audit);
  const marker = markerKeyOf(input.prefix);
  const writesBy = new Map<string, WriteFact[]>();
  for (const w of input.writes) writesBy.set(w.conversationId, [...(writesBy.get(w.conversationId) ?? []), w]);
  const linesBy = new Map<string, ParsedAuditLine[]>();
  for (const l of audit.lines) linesBy.set(l.conversationId, [...(linesBy.get(l.conversationId) ?? []), l]);

  const verdicts = new Map<string, Verdict>();
  const known = new Set<string>();
  for (const t of input.truth) {
    known.add(t.id);
    const writes = writesBy.get(t.id) ?? [];
    const lines = linesBy.get(t.id) ?? [];
    const excuse = excuseOf(t, input);
    const problems: string[] = [];
    const distinct = new Set(writes.map((w) => JSON.stringify(Object.entries(w.attributes).sort(([a], [b]) => a.localeCompare(b))))).size;
    for (const w of writes) {
      if (w.participantId !== t.customerParticipantId) problems.push(`written to participant ${w.participantId}, not the customer ${t.customerParticipantId}`);
      if (!w.attributes[marker]) problems.push('a write without the marker');
      const record = t.crmCustomerId === undefined ? undefined : input.crmRecordOf(t.crmCustomerId);
      if (record === undefined) problems.push('written although the CRM does not know this customer');
      else {
        const bad = checkValues(w, record, input);
        if (bad !== undefined) problems.push(bad);
      }
    }
    if (writes.length > 0 && excuse !== undefined && UNWRITABLE.has(excuse)) problems.push(`written although ${excuse}`);
    const enrichedLines = lines.filter((l) => l.event === 'enriched');
    if (writes.length > 0) {
      if (enrichedLines.length !== 1) problems.push(`${String(enrichedLines.length)} enriched audit lines for a written conversation`);
      else if (!writes.some((w) => traceMatches(enrichedLines[0]?.traceId ?? '', w.attributes[marker]))) problems.push('the enriched audit line names a trace id no write carries');
    } else if (enrichedLines.length > 0) {
      problems.push('an enriched audit line without any applied write');
    }
    verdicts.set(t.id, { id: t.id, truth: t, ...(excuse !== undefined && { excuse }), expected: excuse === undefined, writes, distinctWrites: distinct, problems, auditLines: lines });
  }

  const all = [...verdicts.values()];
  const excused = new Map<string, number>();
  for (const v of all) if (v.excuse !== undefined) excused.set(v.excuse, (excused.get(v.excuse) ?? 0) + 1);
  const expected = all.filter((v) => v.expected).map((v) => v.id);
  const written = all.filter((v) => v.writes.length > 0).map((v) => v.id);
  const missed = all.filter((v) => v.expected && v.writes.length === 0).map((v) => v.id);
  const doubled = all.filter((v) => v.distinctWrites > 1).map((v) => v.id);
  const wrong = all.filter((v) => v.problems.length > 0).map((v) => ({ id: v.id, problems: v.problems }));
  const strayWrites = input.writes.filter((w) => !known.has(w.conversationId));
  return {
    verdicts,
    expected,
    written,
    missed,
    doubled,
    wrong,
    strayWrites,
    auditErrors: audit.errors,
    excused,
    summary: () =>
      `played ${String(all.length)}, expected ${String(expected.length)}, written ${String(written.length)}, missed ${String(missed.length)}, ` +
      `written twice ${String(doubled.length)}, wrong ${String(wrong.length)}, stray writes ${String(strayWrites.length)}, ` +
      `audit lines ${String(audit.lines.length)} (unparsable ${String(audit.errors.length)}), excused ${JSON.stringify(Object.fromEntries(excused))}`,
  };
}
