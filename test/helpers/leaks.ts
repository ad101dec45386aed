/**
 * The leak check of the end-to-end tests: everything a daemon printed (logs and error messages)
 * is searched for every secret and every customer identifier of the run, in every form it could
 * take there: as is, URL-encoded, as a `tel:`/`mailto:` URI, a phone without its `+`, JSON-escaped.
 */
import type { ConversationTruth } from './truth.js';

/** One thing that must not appear, with a label safe to print. */
export interface Needle {
  readonly label: string;
  readonly value: string;
}

/** The forms a value can take in a log line. */
export function formsOf(value: string, kind: 'secret' | 'phone' | 'email'): string[] {
  const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
  if (kind === 'phone') {
    const digits = value.replace(/^\+/, '');
    for (const f of [`tel:${value}`, `tel:%2B${digits}`, digits]) forms.add(f);
  }
  if (kind === 'email') {
    forms.add(`mailto:${value}`);
    forms.add(value.toLowerCase());
  }
  // Forms shorter than 6 characters would match by chance.
  return [...forms].filter((f) => f.length >= 6);
}

/** Needles for the secrets (client secret, CRM credentials, every token issued). */
export function secretNeedles(secrets: Readonly<Record<string, string | readonly string[]>>): Needle[] {
  const out: Needle[] = [];
  for (const [label, value] of Object.entries(secrets)) {
    const values = typeof value === 'string' ? [value] : value;
    values.forEach((v, i) => {
      for (const form of formsOf(v, 'secret')) out.push({ label: values.length > 1 ? `${label}[${String(i)}]` : label, value: form });
    });
  }
  return out;
}

/** Needles for every phone and e-mail the sandbox gave a customer (from its truth). */
export function customerNeedles(truth: readonly ConversationTruth[]): Needle[] {
  const out: Needle[] = [];
  const seen = new Set<string>();
  for (const t of truth) {
    for (const id of t.identifiers) {
      if (id.kind === 'externalContactId' || seen.has(id.value)) continue;
      seen.add(id.value);
      for (const form of formsOf(id.value, id.kind)) out.push({ label: `customer ${id.kind} of ${t.id}`, value: form });
    }
  }
  return out;
}

/** Where each needle was found (label and offset only: an excerpt could carry the secret); empty when none. */
export function findLeaks(haystacks: Readonly<Record<string, string>>, needles: readonly Needle[]): string[] {
  const found: string[] = [];
  for (const [where, text] of Object.entries(haystacks)) {
    for (const n of needles) {
      const at = text.indexOf(n.value);
      if (at === -1) continue;
      const lineNo = text.slice(0, at).split('\n').length;
      found.push(`${where} line ${String(lineNo)}: ${n.label}`);
    }
  }
  return found;
}
