import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, GENESYS_REGIONS, MEDIA_TYPES } from '../../../src/config/index.js';
import { ENV, REMOVE, minimalRaw, parse, rawWith, valueAt } from './fixtures.js';

describe('defaults', () => {
  // Expected values are written out (from the config contract), not read from CONFIG_DEFAULTS,
  // so that changing a default by accident fails here.
  it.each([
    ['genesys.requestsPerMinute', 300],
    ['genesys.maxConcurrentRequests', 10],
    ['genesys.timeoutMs', 16_000],
    ['media', ['call', 'chat', 'message', 'email', 'callback']],
    ['trigger', 'agent-connected'],
    ['target', 'customer'],
    ['crm.headers', {}],
    ['crm.timeoutMs', 2_000],
    ['crm.maxConcurrent', 20],
    ['crm.cache.max', 10_000],
    ['crm.cache.ttlMs', 300_000],
    ['crm.cache.notFoundTtlMs', 30_000],
    ['crm.circuitBreaker.failureThreshold', 5],
    ['crm.circuitBreaker.openMs', 30_000],
    ['attributes.prefix', ''],
    ['attributes.maxValueLength', 256],
    ['analytics.webhookUrl', undefined],
    ['analytics.timeoutMs', 2_000],
    ['audit.file', '/etc/genesys-enricher/audit.jsonl'],
    ['http.listen', { host: '127.0.0.1', port: 9464 }],
    ['stream.heartbeatTimeoutMs', 15_000],
    ['stream.pongTimeoutMs', 5_000],
    ['stream.reconnectMinMs', 500],
    ['stream.reconnectMaxMs', 30_000],
    ['stream.connectTimeoutMs', 10_000],
    ['backfill.intervalMs', 300_000],
    ['pipeline.retryDelayMs', 2_000],
    ['pipeline.maxAttempts', 3],
    ['pipeline.retryAfterMs', 30_000],
    ['pipeline.queueSize', 10_000],
    ['pipeline.drainTimeoutMs', 10_000],
    ['log.level', 'info'],
    ['log.format', 'auto'],
    ['log.redactFields', []],
  ])('%s defaults to %j', (path, expected) => {
    expect(valueAt(parse(minimalRaw()), path)).toEqual(expected);
  });

  it('keeps CONFIG_DEFAULTS in line with what the parser applies', () => {
    const config = parse(minimalRaw());
    for (const [path, value] of [
      ['genesys.requestsPerMinute', CONFIG_DEFAULTS.genesys.requestsPerMinute],
      ['crm.cache.ttlMs', CONFIG_DEFAULTS.crm.cache.ttlMs],
      ['pipeline.queueSize', CONFIG_DEFAULTS.pipeline.queueSize],
      ['log.level', CONFIG_DEFAULTS.log.level],
    ] as const) {
      expect(valueAt(config, path)).toEqual(value);
    }
    expect(config.media).toEqual([...MEDIA_TYPES]);
  });

  it('applies nested defaults inside a partly written section', () => {
    const config = parse(rawWith({ 'crm.cache': { max: 5 }, 'log.level': 'debug' }));
    expect(config.crm.cache).toEqual({ max: 5, ttlMs: 300_000, notFoundTtlMs: 30_000 });
    expect(config.log).toEqual({ level: 'debug', format: 'auto', redactFields: [] });
  });

  it('treats a key with no value (YAML "key:") as absent', () => {
    const config = parse(rawWith({ analytics: null, 'crm.timeoutMs': null, 'log.level': null }));
    expect(config.analytics).toEqual({ timeoutMs: 2_000 });
    expect(config.crm.timeoutMs).toBe(2_000);
    expect(config.log.level).toBe('info');
  });

  it('keeps explicit values over defaults', () => {
    const config = parse(
      rawWith({
        'genesys.requestsPerMinute': 120,
        media: ['chat'],
        trigger: 'queued',
        target: 'agent',
        'backfill.intervalMs': 0,
        'http.listen': 'off',
        'audit.file': '-',
        'analytics.webhookUrl': 'https://analytics.example.com/hook',
      }),
    );
    expect(config.genesys.requestsPerMinute).toBe(120);
    expect(config.media).toEqual(['chat']);
    expect(config.trigger).toBe('queued');
    expect(config.target).toBe('agent');
    expect(config.backfill.intervalMs).toBe(0);
    expect(config.http.listen).toBe('off');
    expect(config.audit.file).toBe('-');
    expect(config.analytics.webhookUrl).toBe('https://analytics.example.com/hook');
  });
});

describe('resolved values', () => {
  it('resolves references and keeps the region', () => {
    const config = parse(minimalRaw());
    expect(config.genesys.region).toBe('mypurecloud.ie');
    expect(config.genesys.gatewayUrl).toBeUndefined();
    expect(config.genesys.clientId).toBe(ENV.GENESYS_CLIENT_ID);
    expect(config.genesys.clientSecret).toBe(ENV.GENESYS_CLIENT_SECRET);
  });

  it.each([
    ['audit.jsonl', '/etc/genesys-enricher/audit.jsonl'],
    ['logs/audit.jsonl', '/etc/genesys-enricher/logs/audit.jsonl'],
    ['../audit.jsonl', '/etc/audit.jsonl'],
    ['/var/log/audit.jsonl', '/var/log/audit.jsonl'],
    ['-', '-'],
  ])('audit.file %s resolves against the config folder to %s', (file, expected) => {
    expect(parse(rawWith({ 'audit.file': file })).audit.file).toBe(expected);
  });

  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['localhost:8080', { host: 'localhost', port: 8080 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    ['off', 'off'],
  ])('http.listen %s becomes %j', (listen, expected) => {
    expect(parse(rawWith({ 'http.listen': listen })).http.listen).toEqual(expected);
  });

  it('lower-cases queue and flow ids and normalises the region case', () => {
    const config = parse(
      rawWith({
        queues: [{ id: '6C2F0B8E-1D1E-4C1B-9A55-0B2A3F1C7E10' }, { name: 'Billing' }],
        'flow.id': '0F3B1C2D-4E5F-4A6B-8C7D-9E0F1A2B3C4D',
        'genesys.region': 'MyPureCloud.DE',
      }),
    );
    expect(config.queues).toEqual([{ id: '6c2f0b8e-1d1e-4c1b-9a55-0b2a3f1c7e10' }, { name: 'Billing' }]);
    expect(config.flow).toEqual({ id: '0f3b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' });
    expect(config.genesys.region).toBe('mypurecloud.de');
  });

  it('accepts a loopback http gateway instead of a region', () => {
    const config = parse(rawWith({ 'genesys.region': REMOVE, 'genesys.gatewayUrl': 'http://127.0.0.1:8123' }));
    expect(config.genesys.gatewayUrl).toBe('http://127.0.0.1:8123');
    expect(config.genesys.region).toBeUndefined();
  });

  it('keeps an inline flow schema with its extra JSON Schema keywords', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
      properties: { 'Flow.accountId': { type: 'string' } },
      required: ['Flow.accountId'],
      additionalProperties: true,
    };
    expect(parse(rawWith({ flow: { schema } })).flow).toEqual({ schema });
  });

  it('deep-freezes the result', () => {
    const config = parse(minimalRaw());
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.crm.cache)).toBe(true);
    expect(Object.isFrozen(config.queues[0])).toBe(true);
    expect(() => {
      (config.media as string[]).push('call');
    }).toThrow(TypeError);
  });

  it('does not mutate the raw input', () => {
    const raw = minimalRaw();
    const copy = structuredClone(raw);
    parse(raw);
    expect(raw).toEqual(copy);
  });

  it('lists every region the SDK knows and accepts each', () => {
    expect(GENESYS_REGIONS.length).toBeGreaterThanOrEqual(17);
    for (const region of GENESYS_REGIONS) {
      expect(parse(rawWith({ 'genesys.region': region })).genesys.region).toBe(region);
    }
  });
});
