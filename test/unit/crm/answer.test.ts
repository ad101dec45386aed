import { describe, expect, it } from 'vitest';
import { interpretAnswer } from '../../../src/crm/answer.js';

describe('interpretAnswer', () => {
  it.each<[string, number, string, ReturnType<typeof interpretAnswer>]>([
    ['200 object', 200, '{"id":"C1"}', { ok: true, entry: { found: true, record: { id: 'C1' } } }],
    ['200 array', 200, '[1]', { ok: true, entry: { found: true, record: [1] } }],
    ['404 is not found', 404, '{"error":"x"}', { ok: true, entry: { found: false } }],
    ['204 is not found', 204, '', { ok: true, entry: { found: false } }],
    ['200 HTML', 200, '<html>oops</html>', { ok: false, failure: 'bad-response' }],
    ['200 empty', 200, '', { ok: false, failure: 'bad-response' }],
    ['200 null', 200, 'null', { ok: false, failure: 'bad-response' }],
    ['200 scalar', 200, '42', { ok: false, failure: 'bad-response' }],
    ['503', 503, '{"error":"x"}', { ok: false, failure: 'http-503' }],
    ['401', 401, '', { ok: false, failure: 'http-401' }],
    ['302 redirects are not followed', 302, '', { ok: false, failure: 'http-302' }],
  ])('%s', (_name, status, body, expected) => {
    expect(interpretAnswer(status, body)).toEqual(expected);
  });

  it('deep-freezes the record it shares with the cache', () => {
    const result = interpretAnswer(200, '{"account":{"tier":"gold"}}');
    if (!result.ok || !result.entry.found) throw new Error('expected a record');
    const record = result.entry.record as { account: { tier: string } };
    expect(Object.isFrozen(record)).toBe(true);
    expect(Object.isFrozen(record.account)).toBe(true);
  });
});
