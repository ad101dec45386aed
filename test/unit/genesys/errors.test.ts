import { describe, expect, it } from 'vitest';
import { GenesysApiError, GenesysNetworkError, normaliseError, parseRetryAfter } from '../../../src/genesys/errors.js';

const SECRET = 'c2VjcmV0LXRva2VuLXZhbHVl';

describe('normaliseError', () => {
  it('reads an extended SDK response with Retry-After and correlation id', () => {
    const err = normaliseError(
      {
        status: 429,
        headers: { 'retry-after': '7', 'inin-correlation-id': 'corr-1' },
        body: { message: 'Rate limit exceeded the maximum. Retry the request in [7] seconds', code: 'too.many.requests.retry.after', status: 429 },
      },
      'PATCH x',
    );
    expect(err).toBeInstanceOf(GenesysApiError);
    const api = err as GenesysApiError;
    expect([api.status, api.genesysCode, api.correlationId, api.retryAfterMs]).toEqual([429, 'too.many.requests.retry.after', 'corr-1', 7000]);
    expect(api.code).toBe('genesys.api');
  });

  it('reads a plain parsed body (extended responses off)', () => {
    const api = normaliseError({ message: 'nope', code: 'not.found', status: 404, contextId: 'ctx-9' }, 'GET y') as GenesysApiError;
    expect([api.status, api.genesysCode, api.correlationId]).toEqual([404, 'not.found', 'ctx-9']);
  });

  it('never keeps anything of a raw axios error but status and allow-listed fields', () => {
    const raw = {
      message: 'Request failed',
      config: { headers: { Authorization: `Bearer ${SECRET}` } },
      request: { _header: `Authorization: Basic ${SECRET}` },
      response: { status: 401, headers: {}, data: { message: 'Invalid login credentials.', code: 'bad.credentials' } },
    };
    const err = normaliseError(raw, 'GET z');
    expect(err).toBeInstanceOf(GenesysApiError);
    expect(JSON.stringify(Object.entries(err)) + err.message + String(err.stack)).not.toContain(SECRET);
  });

  it.each([
    [{ code: 'ECONNREFUSED', config: { headers: { Authorization: `Bearer ${SECRET}` } } }, 'ECONNREFUSED'],
    [{ code: 'ECONNABORTED', message: `timeout of 16000ms exceeded Bearer ${SECRET}` }, 'ECONNABORTED'],
    [{ code: `weird ${SECRET} code with spaces` }, 'unknown'],
    [null, 'unknown'],
    ['a string', 'unknown'],
  ])('network failure %# becomes a GenesysNetworkError without secrets', (raw, reason) => {
    const err = normaliseError(raw, 'POST c');
    expect(err).toBeInstanceOf(GenesysNetworkError);
    expect((err as GenesysNetworkError).reason).toBe(reason);
    expect(err.message).not.toContain(SECRET);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['3', undefined, 3000],
    [5, undefined, 5000],
    [undefined, 'Retry the request in [42] seconds', 42000],
    ['junk', 'no number here', undefined],
    [undefined, undefined, undefined],
  ])('header %s message %s -> %s ms', (header, message, expected) => {
    expect(parseRetryAfter(header, message)).toBe(expected);
  });
});
