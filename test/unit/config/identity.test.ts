import { describe, expect, it } from 'vitest';
import { checkCrmUrlTemplate } from '../../../src/config/urls.js';
import { enricherOptions } from '../../../src/daemon.js';
import { configErrorOf, parse, rawWith } from './fixtures.js';

describe('identity config', () => {
  // Written out from the contract, not read from IDENTITY_DEFAULTS, so that an accidental change fails here.
  it('defaults every medium to sources that fit real payloads', () => {
    expect(parse(rawWith({})).identity).toEqual({
      call: ['ani', 'address', 'externalContact'],
      callback: ['callbackNumbers', 'ani', 'address', 'externalContact'],
      email: ['address', 'externalContact'],
      chat: ['externalContact'],
      message: ['address', 'externalContact'],
    });
  });

  it('takes a configured medium and keeps the defaults of the others', () => {
    const config = parse(rawWith({ 'identity.chat': ['attr:context.email', 'attr:context.phoneNumber', 'externalContact'] }));
    expect(config.identity.chat).toEqual(['attr:context.email', 'attr:context.phoneNumber', 'externalContact']);
    expect(config.identity.call).toEqual(['ani', 'address', 'externalContact']);
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['unknown source name', { 'identity.call': ['ani', 'phone'] }, 'identity.call[1]', /not a known source/],
    ['attribute without a name', { 'identity.chat': ['attr:'] }, 'identity.chat[0]', /attribute name/],
    ['not a string', { 'identity.email': [7] }, 'identity.email[0]', /string/],
    ['empty list', { 'identity.message': [] }, 'identity.message', /at least one source/],
    ['repeated source', { 'identity.call': ['ani', 'ani'] }, 'identity.call[1]', /repeats/],
    ['repeated attribute in another case', { 'identity.chat': ['attr:context.email', 'attr:Context.Email'] }, 'identity.chat[1]', /repeats/],
    ['unknown medium', { 'identity.video': ['ani'] }, 'identity.video', /./],
  ])('refuses %s, naming the key', (_name, edits, path, message) => {
    const err = configErrorOf(() => parse(rawWith(edits)));
    const problem = err.problems.find((p) => p.path === path);
    expect(problem, JSON.stringify(err.problems)).toBeDefined();
    expect(problem?.message).toMatch(message);
  });

  it('reaches the pipeline options', () => {
    const config = parse(rawWith({ 'identity.message': ['attr:customer.email'] }));
    expect(enricherOptions(config, []).identity).toBe(config.identity);
    expect(enricherOptions(config, []).identity.message).toEqual(['attr:customer.email']);
  });

  it('accepts {externalContactId} in crm.url', () => {
    expect(checkCrmUrlTemplate('https://crm.example.com/contacts/{externalContactId}?phone={phone?}')).toBeUndefined();
    expect(parse(rawWith({ 'crm.url': 'https://crm.example.com/c?id={externalContactId?}&p={phone?}' })).crm.url).toContain('{externalContactId?}');
  });
});
