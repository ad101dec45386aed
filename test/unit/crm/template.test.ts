import { describe, expect, it } from 'vitest';
import { CrmError } from '../../../src/crm/errors.js';
import { checkCrmTemplate, parseCrmTemplate, renderCrmUrl } from '../../../src/crm/template.js';
import type { CrmContext } from '../../../src/crm/types.js';

const base: CrmContext = { conversationId: 'c-1', queueId: 'q-1', attributes: {} };
const BASE = 'https://crm.example/api';

describe('renderCrmUrl', () => {
  it.each<[string, string, Partial<CrmContext>, string | undefined]>([
    ['plain phone', `${BASE}/customers?phone={phone}`, { phone: '4930123' }, `${BASE}/customers?phone=4930123`],
    ['plus and spaces are encoded', `${BASE}/c?phone={phone}`, { phone: '+49 30 123' }, `${BASE}/c?phone=%2B49%2030%20123`],
    ['tel: URI is encoded as a whole', `${BASE}/c?phone={phone}`, { phone: 'tel:+4930' }, `${BASE}/c?phone=tel%3A%2B4930`],
    ['e-mail with & and @', `${BASE}/c?email={email}`, { email: 'a&b=c@x.de' }, `${BASE}/c?email=a%26b%3Dc%40x.de`],
    ['slash in a path segment', `${BASE}/c/{email}`, { email: 'a/b@x.de' }, `${BASE}/c/a%2Fb%40x.de`],
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
      { kind: 'field', field: 'phone', optional: false },
      { kind: 'text', text: '?a=' },
      { kind: 'attr', name: 'x', optional: true },
    ]);
  });
});
