/**
 * The CRM URL template: `{phone}`, `{email}`, `{externalContactId}`, `{conversationId}`, `{queueId}`
 * and `{attr:NAME}` placeholders, each replaced by its `encodeURIComponent`ed value. A placeholder may
 * end in `?` (`{email?}`) to render as an empty string when its value is missing, so one template can
 * serve conversations that carry either a phone number or an e-mail address.
 *
 * No value may move the request off its path: `encodeURIComponent` leaves `.` alone, and URL parsers
 * resolve `.`/`..` (and `%2e%2e`) segments, so values made of dots, values that decode to dots, values
 * that hold `/` or `\` where they sit in the path, and over-long values are refused, never rendered.
 */
import { CrmError } from './errors.js';
import type { CrmContext } from './types.js';

/** Placeholders besides `{attr:NAME}`: the lookup keys and the conversation's ids. */
export const CRM_TEMPLATE_FIELDS = ['phone', 'email', 'externalContactId', 'conversationId', 'queueId'] as const;
type Field = (typeof CRM_TEMPLATE_FIELDS)[number];
const FIELDS: readonly string[] = CRM_TEMPLATE_FIELDS;

/** Longest value rendered into a URL (an e-mail address has at most 254 characters). */
export const MAX_LOOKUP_VALUE_LENGTH = 256;

/** One piece of a parsed template; `inPath` says whether a placeholder sits before the query. */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'field'; readonly field: Field; readonly optional: boolean; readonly inPath: boolean }
  | { readonly kind: 'attr'; readonly name: string; readonly optional: boolean; readonly inPath: boolean };

/** A template parsed once, rendered per lookup. */
export interface CrmTemplate {
  readonly parts: readonly TemplatePart[];
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

function parsePlaceholder(inner: string, inPath = false): Exclude<TemplatePart, { kind: 'text' }> | undefined {
  const optional = inner.endsWith('?');
  const name = optional ? inner.slice(0, -1) : inner;
  if (FIELDS.includes(name)) return { kind: 'field', field: name as Field, optional, inPath };
  const attr = /^attr:([^\s{}?]+)$/.exec(name);
  return attr?.[1] === undefined ? undefined : { kind: 'attr', name: attr[1], optional, inPath };
}

/** Problems with a template (empty when it is usable). Messages name placeholders, never values. */
export function checkCrmTemplate(template: string): string[] {
  const problems: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (parsePlaceholder(m[1] ?? '') === undefined) problems.push(`unknown placeholder {${m[1] ?? ''}}`);
  }
  const stripped = template.replace(PLACEHOLDER, '');
  if (stripped.includes('{') || stripped.includes('}')) problems.push('unbalanced "{" or "}"');
  if (stripped.length === template.length) problems.push('no placeholder: every lookup would ask for the same URL');
  // Rendered with two different values, the origin must not move: placeholders may not steer
  // the request to another host.
  const a = URL.parse(template.replace(PLACEHOLDER, 'a0'));
  const b = URL.parse(template.replace(PLACEHOLDER, 'b1'));
  if (a === null || b === null || (a.protocol !== 'http:' && a.protocol !== 'https:')) {
    problems.push('must be an http:// or https:// URL');
  } else if (a.origin !== b.origin) {
    problems.push('may have placeholders only in the path and query, not in the scheme or host');
  }
  return problems;
}

/** Parses a template; throws {@link CrmError} `crm.template-invalid` when it has problems. */
export function parseCrmTemplate(template: string): CrmTemplate {
  const problems = checkCrmTemplate(template);
  if (problems.length > 0) throw new CrmError('template-invalid', `CRM URL template ${problems.join('; ')}`);
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push({ kind: 'text', text: template.slice(last, m.index) });
    // Before the first `?` or `#` of the template (placeholders removed), a value is part of the path.
    const before = template.slice(0, m.index).replace(PLACEHOLDER, '');
    const part = parsePlaceholder(m[1] ?? '', !before.includes('?') && !before.includes('#'));
    if (part !== undefined) parts.push(part);
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push({ kind: 'text', text: template.slice(last) });
  return { parts };
}

/** The name of a placeholder as written in the template, for messages (never its value). */
export function placeholderName(part: Exclude<TemplatePart, { kind: 'text' }>): string {
  return `{${part.kind === 'field' ? part.field : `attr:${part.name}`}${part.optional ? '?' : ''}}`;
}

function valueOf(part: Exclude<TemplatePart, { kind: 'text' }>, ctx: CrmContext): string | undefined {
  // Own-property check: an attribute named like an Object.prototype member must not leak in.
  const raw = part.kind === 'field' ? ctx[part.field] : Object.hasOwn(ctx.attributes, part.name) ? ctx.attributes[part.name] : undefined;
  return raw === undefined || raw.trim() === '' ? undefined : raw;
}

/** The value and what it decodes to, up to a few rounds (a proxy may decode once more). */
function decodings(value: string): string[] {
  const out = [value];
  let current = value;
  for (let i = 0; i < 3 && current.includes('%'); i++) {
    try {
      current = decodeURIComponent(current);
    } catch {
      break;
    }
    out.push(current);
  }
  return out;
}

/** Whether a value could steer the request: over-long, dots only (plain or encoded), or path syntax in the path. */
export function isUnsafeLookupValue(value: string, inPath: boolean): boolean {
  if (value.length > MAX_LOOKUP_VALUE_LENGTH) return true;
  for (const form of decodings(value)) {
    if (/^\s*\.+\s*$/.test(form)) return true;
    if (inPath && /[/\\]/.test(form)) return true;
  }
  return false;
}

/** A rendered lookup URL, or why there is none (naming the placeholder, never its value). */
export type CrmRender =
  | { readonly ok: true; readonly url: string }
  | { readonly ok: false; readonly reason: 'no-lookup-key' | 'invalid-lookup-key'; readonly placeholder?: string };

/**
 * Renders a parsed template. `no-lookup-key` when a required placeholder has no value or when no
 * placeholder has one; `invalid-lookup-key` when any value could move the request off its path
 * (see {@link isUnsafeLookupValue}).
 */
export function renderCrmLookup(template: CrmTemplate, ctx: CrmContext): CrmRender {
  let url = '';
  let anyValue = false;
  for (const part of template.parts) {
    if (part.kind === 'text') {
      url += part.text;
      continue;
    }
    const value = valueOf(part, ctx);
    if (value === undefined) {
      if (!part.optional) return { ok: false, reason: 'no-lookup-key', placeholder: placeholderName(part) };
      continue;
    }
    if (isUnsafeLookupValue(value, part.inPath)) return { ok: false, reason: 'invalid-lookup-key', placeholder: placeholderName(part) };
    anyValue = true;
    url += encodeURIComponent(value);
  }
  return anyValue ? { ok: true, url } : { ok: false, reason: 'no-lookup-key' };
}

/** {@link renderCrmLookup}'s URL, or undefined when there is none. */
export function renderCrmTemplate(template: CrmTemplate, ctx: CrmContext): string | undefined {
  const r = renderCrmLookup(template, ctx);
  return r.ok ? r.url : undefined;
}

/**
 * Renders `template` for one conversation (see {@link renderCrmTemplate}); throws
 * {@link CrmError} `crm.template-invalid` for a template with unknown placeholders.
 */
export function renderCrmUrl(template: string, ctx: CrmContext): string | undefined {
  return renderCrmTemplate(parseCrmTemplate(template), ctx);
}
