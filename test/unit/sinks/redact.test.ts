import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/sinks/logger.js';
import { createRedactor, scrubText } from '../../../src/sinks/redact.js';

describe('createRedactor', () => {
  const redact = createRedactor(['accountNumber']);
  it.each([
    [{ clientSecret: 's3cr3t' }, { clientSecret: '[redacted]' }],
    [{ Authorization: 'Bearer abcdefgh' }, { Authorization: '[redacted]' }],
    [{ nested: { access_token: 'x', ok: 1 } }, { nested: { access_token: '[redacted]', ok: 1 } }],
    [{ list: [{ phone: '+4915112345678' }] }, { list: [{ phone: '[redacted]' }] }],
    [{ account_number: '123' }, { account_number: '[redacted]' }],
    [{ message: 'got Bearer abcdefghijkl back' }, { message: 'got Bearer [redacted] back' }],
    [{ token: '' }, { token: '' }],
    [{ count: 3, name: 'queue' }, { count: 3, name: 'queue' }],
  ])('%j -> %j', (input, expected) => {
    expect(redact(input)).toEqual(expected);
  });

  it('copies instead of mutating and keeps symbol keys', () => {
    const sym = Symbol.for('level');
    const input = { secret: 'x', [sym]: 'info' };
    const out = redact(input);
    expect(input.secret).toBe('x');
    expect(out[sym]).toBe('info');
  });
});

describe('scrubText', () => {
  it.each([
    ['Authorization: Basic c2FuZGJveDpzZWNyZXQ=', 'Authorization: Basic [redacted]'],
    ['access_token=abc.def.ghi&x=1', 'access_token=[redacted]&x=1'],
    ['"client_secret":"hunter22"', '"client_secret":"[redacted]"'],
    ['nothing to see', 'nothing to see'],
  ])('%s', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });
});

describe('createLogger', () => {
  it('writes JSON lines with the component and no secrets', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    const logger = createLogger({ level: 'debug', format: 'json', redactFields: [], stream });
    logger.child({ component: 'genesys' }).info('login', { clientSecret: 'hunter22', header: 'Bearer abcdefghijkl' });
    await logger.close();
    const line = JSON.parse(chunks.join('').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', message: 'login', component: 'genesys', clientSecret: '[redacted]' });
    expect(chunks.join('')).not.toMatch(/hunter22|abcdefghijkl/);
  });
});
