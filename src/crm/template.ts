/**
 * The CRM URL template: `{phone}`, `{email}`, `{conversationId}`, `{queueId}` and `{attr:NAME}`
 * placeholders, each replaced by its `encodeURIComponent`ed value. A placeholder may end in `?`
 * (`{email?}`) to render as an empty string when its value is missing, so one template can serve
 * conversations that carry either a phone number or an e-mail address.
 */
import { CrmError } from './errors.js';
import type { CrmContext } from './types.js';

const FIELDS = ['phone', 'email', 'conversationId', 'queueId'] as const;
type Field = (typeof FIELDS)[number];

/** One piece of a parsed template. */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'field'; readonly field: Field; readonly optional: boolean }
  | { readonly kind: 'attr'; readonly name: string; readonly optional: boolean };

/** A template parsed once, rendered per lookup. */
export interface CrmTemplate {
  readonly parts: readonly TemplatePart[];
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

function parsePlaceholder(inner: string): TemplatePart | undefined {
  const optional = inner.endsWith('?');
  const name = optional ? inner.slice(0, -1) : inner;
  if ((FIELDS as readonly string[]).includes(name)) return { kind: 'field', field: name as Field, optional };
  const attr = /^attr:([^\s{}?]+)$/.exec(name);
  return attr?.[1] === undefined ? undefined : { kind: 'attr', name: attr[1], optional };
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
    const part = parsePlaceholder(m[1] ?? '');
    if (part !== undefined) parts.push(part);
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push({ kind: 'text', text: template.slice(last) });
  return { parts };
}

function valueOf(part: Exclude<TemplatePart, { kind: 'text' }>, ctx: CrmContext): string | undefined {
  // Own-property check: an attribute named like an Object.prototype member must not leak in.
  const raw = part.kind === 'field' ? ctx[part.field] : Object.hasOwn(ctx.attributes, part.name) ? ctx.attributes[part.name] : undefined;
  return raw === undefined || raw === '' ? undefined : raw;
}

/**
 * Renders a parsed template. Undefined when a required placeholder has no value, or when no
 * placeholder has one (the lookup is then skipped with reason `no-lookup-key`).
 */
export function renderCrmTemplate(template: CrmTemplate, ctx: CrmContext): string | undefined {
  let url = '';
  let anyValue = false;
  for (const part of template.parts) {
    if (part.kind === 'text') {
      url += part.text;
      continue;
    }
    const value = valueOf(part, ctx);
    if (value === undefined) {
      if (!part.optional) return undefined;
      continue;
    }
    anyValue = true;
    url += encodeURIComponent(value);
  }
  return anyValue ? url : undefined;
}

/**
 * Renders `template` for one conversation (see {@link renderCrmTemplate}); throws
 * {@link CrmError} `crm.template-invalid` for a template with unknown placeholders.
 */
export function renderCrmUrl(template: string, ctx: CrmContext): string | undefined {
  return renderCrmTemplate(parseCrmTemplate(template), ctx);
}
