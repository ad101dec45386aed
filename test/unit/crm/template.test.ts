import { describe, expect, it } from 'vitest';
import { CrmError } from '../../../src/crm/errors.js';
import { checkCrmTemplate, MAX_LOOKUP_VALUE_LENGTH, parseCrmTemplate, renderCrmLookup, renderCrmUrl } from '../../../src/crm/template.js';
import type { CrmContext } from '../../../src/crm/types.js';

const base: CrmContext = { conversationId: 'c-1', queueId: 'q-1', attributes: {} };
const BASE = 'https://crm.example/api';

describe('renderCrmUrl', () => {
  it.each<[string, string, Partial<CrmContext>, string | undefined]>([
    ['plain phone', `${BASE}/customers?phone={phone}`, { phone: '4930123' }, `${BASE}/customers?phone=4930123`],
    ['plus and spaces are encoded', `${BASE}/c?phone={phone}`, { phone: '+49 30 123' }, `${BASE}/c?phone=%2B49%2030%20123`],
    ['tel: URI is encoded as a whole', `${BASE}/c?phone={phone}`, { phone: 'tel:+4930' }, `${BASE}/c?phone=tel%3A%2B4930`],
    ['e-mail with & and @', `${BASE}/c?email={email}`, { email: 'a&b=c@x.de' }, `${BASE}/c?email=a%26b%3Dc%40x.de`],
    ['slash in a path segment is refused', `${BASE}/c/{email}`, { email: 'a/b@x.de' }, undefined],
    ['slash in the query is encoded', `${BASE}/c?e={email}`, { email: 'a/b@x.de' }, `${BASE}/c?e=a%2Fb%40x.de`],
    ['external contact id', `${BASE}/contacts/{externalContactId}`, { externalContactId: 'ec-1' }, `${BASE}/contacts/ec-1`],
    ['non-ASCII', `${BASE}/c?email={email}`, { email: 'jürgen@ü.de' }, `${BASE}/c?email=j%C3%BCrgen%40%C3%BC.de`],
    ['ids', `${BASE}/c?conv={conversationId}&q={queueId}`, {}, `${BASE}/c?conv=c-1&q=q-1`],
    ['required phone missing', `${BASE}/c?phone={phone}`, { email: 'a@x.de' }, undefined],
    ['required email empty', `${BASE}/c?email={email}`, { email: '' }, undefined],
    ['one of two required missing', `${BASE}/c?phone={phone}&email={email}`, { phone: '1' }, undefined],
    ['optional missing renders empty', `${BASE}/c?phone={phone?}&email={email?}`, { email: 'a@x.de' }, `${BASE}/c?phone=&email=a%40x.de`],
    ['both optional present', `${BASE}/c?phone={phone?}&email={email?}`, { phone: '1', email: 'e' }, `${BASE}/c?phone=1&email=e`],
    ['all optional missing: no lookup key', `${BASE}/c?phone={phone?}&email={email?}`, {}, undefined],
    ['attribute present', `${BASE}/c?acct={attr:accountNumber}`, { attributes: { accountNumber: 'A 1' } }, `${BASE}/c?acct=A%201`],
    ['attribute with dots in its name', `${BASE}/c?x={attr:Flow.crm.id}`, { attributes: { 'Flow.crm.id': '7' } }, `${BASE}/c?x=7`],
    ['attribute missing', `${BASE}/c?acct={attr:accountNumber}`, { attributes: { other: '1' } }, undefined],
    ['prototype name is not an attribute', `${BASE}/c?x={attr:toString}`, { attributes: {} }, undefined],
    ['optional attribute missing', `${BASE}/c?p={phone}&a={attr:x?}`, { phone: '1' }, `${BASE}/c?p=1&a=`],
  ])('%s', (_name, template, ctx, expected) => {
    expect(renderCrmUrl(template, { ...base, ...ctx })).toBe(expected);
  });

  it('throws a CrmError naming the unknown placeholder', () => {
    expect(() => renderCrmUrl(`${BASE}/c?x={customer}`, base)).toThrow(CrmError);
    expect(() => renderCrmUrl(`${BASE}/c?x={customer}`, base)).toThrow(/\{customer\}/);
  });
});

describe('checkCrmTemplate', () => {
  it.each<[string, string, RegExp | undefined]>([
    ['valid', `${BASE}/c?phone={phone}`, undefined],
    ['valid with optional and attr', `${BASE}/c?phone={phone?}&a={attr:x}`, undefined],
    ['unknown placeholder', `${BASE}/c?x={name}`, /unknown placeholder \{name\}/],
    ['empty placeholder', `${BASE}/c?x={}`, /unknown placeholder \{\}/],
    ['unbalanced brace', `${BASE}/c?x={phone`, /unbalanced/],
    ['no placeholder', `${BASE}/c?x=1`, /no placeholder/],
    ['not http', 'ftp://crm.example/{phone}', /http/],
    ['placeholder as host', 'https://{phone}/x', /not in the scheme or host/],
    ['placeholder inside the host', 'https://crm{phone}.example/x', /not in the scheme or host/],
    ['placeholder as port', 'https://crm.example:{phone}/x', /http|host/],
  ])('%s', (_name, template, problem) => {
    const problems = checkCrmTemplate(template);
    if (problem === undefined) expect(problems).toEqual([]);
    else expect(problems.join('; ')).toMatch(problem);
  });

  it('parses into text and placeholder parts', () => {
    expect(parseCrmTemplate(`${BASE}/c/{phone}?a={attr:x?}`).parts).toEqual([
      { kind: 'text', text: `${BASE}/c/` },
      { kind: 'field', field: 'phone', optional: false, inPath: true },
      { kind: 'text', text: '?a=' },
      { kind: 'attr', name: 'x', optional: true, inPath: false },
    ]);
  });
});

describe('renderCrmLookup refuses values that could move the request', () => {
  const PATH = parseCrmTemplate(`${BASE}/customers/{attr:id}/profile?phone={phone?}`);
  const QUERY = parseCrmTemplate(`${BASE}/customers?id={attr:id}&phone={phone?}`);
  const render = (template: typeof PATH, id: string) => renderCrmLookup(template, { ...base, phone: '+4915112345678', attributes: { id } });

  it.each([
    ['.', 'both'],
    ['..', 'both'],
    ['...', 'both'],
    [' .. ', 'both'],
    ['%2e%2e', 'both'],
    ['%2E.', 'both'],
    ['%252e%252e', 'both'],
    ['x'.repeat(MAX_LOOKUP_VALUE_LENGTH + 1), 'both'],
    ['../admin', 'path'],
    ['a/b', 'path'],
    ['a\\b', 'path'],
    ['a%2Fb', 'path'],
    ['%5c..', 'path'],
  ])('%j (%s)', (value, where) => {
    expect(render(PATH, value)).toEqual({ ok: false, reason: 'invalid-lookup-key', placeholder: '{attr:id}' });
    if (where === 'both') expect(render(QUERY, value)).toEqual({ ok: false, reason: 'invalid-lookup-key', placeholder: '{attr:id}' });
    else expect(render(QUERY, value)).toMatchObject({ ok: true });
  });

  it('renders ordinary values, dots inside a value included', () => {
    expect(render(PATH, 'a.b..c')).toEqual({ ok: true, url: `${BASE}/customers/a.b..c/profile?phone=%2B4915112345678` });
    expect(render(PATH, 'x'.repeat(MAX_LOOKUP_VALUE_LENGTH))).toMatchObject({ ok: true });
    expect(render(PATH, '%zz')).toMatchObject({ ok: true });
  });

  it('names a missing required placeholder and treats blank values as missing', () => {
    expect(render(PATH, '')).toEqual({ ok: false, reason: 'no-lookup-key', placeholder: '{attr:id}' });
    expect(render(PATH, '   ')).toEqual({ ok: false, reason: 'no-lookup-key', placeholder: '{attr:id}' });
    const optional = parseCrmTemplate(`${BASE}/c?p={phone?}&e={email?}`);
    expect(renderCrmLookup(optional, base)).toEqual({ ok: false, reason: 'no-lookup-key' });
  });
});
