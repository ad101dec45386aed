import { describe, expect, it } from 'vitest';
import { checkCrm, describeProbe, PROBE_DEFAULTS, probeContext } from '../../../src/cli/operator/check-crm.js';
import { checkState } from '../../../src/cli/operator/check-state.js';
import type { CrmResult } from '../../../src/crm/index.js';
import { config, deps, fakeApi, Q1 } from './fixtures.js';

const MAP = { 'Flow.a': '/a', 'Flow.b': '/b/c', 'Flow.x': '/x' };

describe('describeProbe', () => {
  it.each<[CrmResult, string, RegExp]>([
    [{ outcome: 'miss', found: true, record: { a: 1, b: { c: 'secret-value' } }, latencyMs: 7 }, 'ok', /^reachable: answered a record \(HTTP 2xx\) in 7 ms$/],
    [{ outcome: 'miss', found: false, latencyMs: 4 }, 'ok', /^reachable: answered "not found"/],
    [{ outcome: 'error', found: false, latencyMs: 1, error: 'network' }, 'fail', /^unreachable: no connection/],
    [{ outcome: 'timeout', found: false, latencyMs: 900, error: 'timeout' }, 'fail', /^no answer within crm\.timeoutMs \(900 ms\)$/],
    [{ outcome: 'error', found: false, latencyMs: 2, error: 'http-401' }, 'fail', /refused: HTTP 401 .*check crm\.headers/],
    [{ outcome: 'error', found: false, latencyMs: 2, error: 'http-503' }, 'fail', /^reachable, but answered HTTP 503/],
    [{ outcome: 'error', found: false, latencyMs: 2, error: 'bad-response' }, 'fail', /not a JSON object/],
    [{ outcome: 'error', found: false, latencyMs: 0, error: 'no-lookup-key' }, 'warn', /^not probed/],
    [{ outcome: 'error', found: false, latencyMs: 0, error: 'circuit-open' }, 'fail', /^lookup failed: circuit-open/],
  ])('%o', (r, status, message) => {
    const line = describeProbe(r, MAP, 900);
    expect(line.status).toBe(status);
    expect(line.message).toMatch(message);
  });

  it('counts the mapped pointers the answer fills, without values', () => {
    const line = describeProbe({ outcome: 'miss', found: true, record: { a: 1, b: { c: 'secret-value' } }, latencyMs: 7 }, MAP, 900);
    expect(line.details).toEqual(['2 of 3 mapped pointers found in the answer (values not shown)']);
    expect(JSON.stringify(line)).not.toContain('secret-value');
  });
});

describe('probeContext', () => {
  it.each([
    [undefined, { phone: PROBE_DEFAULTS.phone, email: PROBE_DEFAULTS.email }],
    ['+4930123456', { phone: '+4930123456' }],
    ['a@b.example', { email: 'a@b.example' }],
  ])('%s', (sample, keys) => {
    expect(probeContext(sample, Q1)).toEqual({ ...keys, conversationId: PROBE_DEFAULTS.conversationId, queueId: Q1, attributes: {} });
  });
});

describe('checkCrm', () => {
  it('closes the CRM client and names the sample source, not the sample', async () => {
    const d = deps(fakeApi(), { outcome: 'miss', found: false, latencyMs: 3 });
    const [line] = await checkCrm(checkState(config(), d, '+4915112345678'));
    expect(line?.status).toBe('ok');
    expect(line?.details?.[0]).toMatch(/^url https:\/\/crm\.example\.com\/customers\?phone=\{phone\?\}&email=\{email\?\}, sample from --sample$/);
    expect(JSON.stringify(line)).not.toContain('15112345678');
    expect(d.crmClosed()).toBe(true);
  });
});
