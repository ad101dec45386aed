import { describe, expect, it } from 'vitest';
import { describeConfig } from '../../../src/config/index.js';
import { ENV, FILE, REMOVE, configErrorOf, minimalRaw, parse, rawWith } from './fixtures.js';

const SECRET = 'hunter2-TOPSECRET-value';
const env = { ...ENV, SECRET };

describe('secrets never appear in error messages', () => {
  // Each case puts the secret (resolved from ${SECRET}, or inline) where validation fails.
  it.each<[string, Record<string, unknown>]>([
    ['as a number', { 'crm.timeoutMs': '${SECRET}' }],
    ['as a region', { 'genesys.region': '${SECRET}' }],
    ['inline as a region', { 'genesys.region': SECRET }],
    ['as a gateway URL', { 'genesys.region': REMOVE, 'genesys.gatewayUrl': '${SECRET}' }],
    ['in gateway credentials', { 'genesys.region': REMOVE, 'genesys.gatewayUrl': 'https://u:${SECRET}@gw.example.com' }],
    ['in an http gateway path', { 'genesys.region': REMOVE, 'genesys.gatewayUrl': 'http://10.0.0.1/${SECRET}' }],
    ['as a queue id', { queues: [{ id: '${SECRET}' }] }],
    ['as a media type', { media: ['${SECRET}'] }],
    ['as a log level', { 'log.level': SECRET }],
    ['in a header value with a line break', { 'crm.headers': { Authorization: 'Bearer ${SECRET}\nX: y' } }],
    ['in the CRM URL query', { 'crm.url': 'https://crm.example.com/c?key=${SECRET}&p={phon}' }],
    ['as a JSON pointer', { 'attributes.map': { 'Flow.a': SECRET } }],
    ['as a listen address', { 'http.listen': '${SECRET}' }],
    ['as a webhook URL', { 'analytics.webhookUrl': SECRET }],
    ['as a whole section', { pipeline: '${SECRET}' }],
    ['as a list', { queues: '${SECRET}' }],
  ])('%s', (_what, edits) => {
    const err = configErrorOf(() => parse(rawWith(edits), env));
    expect(err.message).toContain(FILE);
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain(ENV.GENESYS_CLIENT_SECRET);
    expect(JSON.stringify(err.problems)).not.toContain(SECRET);
    expect(err.cause).toBeUndefined();
  });
});

describe('describeConfig', () => {
  const config = parse(
    rawWith({
      'genesys.region': REMOVE,
      'genesys.gatewayUrl': 'https://gw.example.com/${SECRET}/api',
      'crm.url': 'https://crm.example.com/v1/${SECRET}/customers?phone={phone}&apikey=${CRM_TOKEN}&static=inline-key',
      'crm.headers': { Authorization: 'Bearer ${CRM_TOKEN}', 'X-Inline': 'inline-header-secret' },
      'analytics.webhookUrl': 'https://analytics.example.com/hook?token=${SECRET}',
      queues: [{ name: 'Support DE' }, { id: '6c2f0b8e-1d1e-4c1b-9a55-0b2a3f1c7e10' }],
    }),
    env,
  );
  const summary = describeConfig(config);
  const text = JSON.stringify(summary);

  it.each([
    ['client id', ENV.GENESYS_CLIENT_ID],
    ['client secret', ENV.GENESYS_CLIENT_SECRET],
    ['referenced secret', SECRET],
    ['CRM token', ENV.CRM_TOKEN],
    ['inline header value', 'inline-header-secret'],
    ['inline query value', 'inline-key'],
  ])('leaves out the %s', (_what, secret) => {
    expect(text).not.toContain(secret);
  });

  it('keeps what an operator needs', () => {
    expect(summary).toMatchObject({
      genesys: { gatewayUrl: 'https://gw.example.com/***/api', requestsPerMinute: 300 },
      queues: [{ name: 'Support DE' }, { id: '6c2f0b8e-1d1e-4c1b-9a55-0b2a3f1c7e10' }],
      flow: { id: '0f3b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' },
      crm: {
        url: 'https://crm.example.com/v1/***/customers?phone={phone}&apikey=…&static=…',
        placeholders: ['phone'],
        headerNames: ['Authorization', 'X-Inline'],
      },
      attributes: { inputs: ['Flow.accountId'] },
      identity: { call: ['ani', 'address', 'externalContact'], chat: ['externalContact'] },
      analytics: { webhookUrl: 'https://analytics.example.com/hook?token=…' },
      http: { listen: '127.0.0.1:9464' },
      audit: { file: '/etc/genesys-enricher/audit.jsonl' },
    });
  });

  it('shows the region, an inline schema by its inputs, and "off" switches', () => {
    const s = describeConfig(
      parse(
        rawWith({
          flow: { schema: { type: 'object', properties: { 'Flow.accountId': { type: 'string' } } } },
          'http.listen': 'off',
        }),
      ),
    );
    expect(s).toMatchObject({
      genesys: { region: 'mypurecloud.ie' },
      flow: { inlineSchemaInputs: ['Flow.accountId'] },
      http: { listen: 'off' },
      analytics: { webhookUrl: 'off' },
    });
  });
});

describe('inline clientSecret', () => {
  it('is allowed but reported as a warning', () => {
    const config = parse(rawWith({ 'genesys.clientSecret': 'inline-secret-abc' }));
    expect(config.genesys.clientSecret).toBe('inline-secret-abc');
    expect(config.warnings).toHaveLength(1);
    expect(config.warnings?.[0]).toContain('genesys.clientSecret');
    expect(config.warnings?.[0]).not.toContain('inline-secret-abc');
  });

  it('gives no warning when the secret is a reference', () => {
    expect(parse(minimalRaw()).warnings).toBeUndefined();
  });
});
