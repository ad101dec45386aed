import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../src/config/index.js';
import { EnricherError } from '../../../src/errors.js';
import { FILE, REMOVE, configErrorOf, minimalRaw, parse, rawWith } from './fixtures.js';

const UUID = '6c2f0b8e-1d1e-4c1b-9a55-0b2a3f1c7e10';

describe('ConfigError for each kind of bad input', () => {
  // [what, edits to the minimal config, expected path, text the message must contain]
  it.each<[string, Record<string, unknown>, string, string]>([
    ['unknown top-level key', { queue: [{ name: 'x' }] }, 'queue', 'did you mean "queues"?'],
    ['unknown nested key', { 'crm.timeout': 100 }, 'crm.timeout', 'did you mean "timeoutMs"?'],
    ['unknown deeply nested key', { 'crm.cache.ttl': 5 }, 'crm.cache.ttl', 'did you mean "ttlMs"?'],
    ['unknown key in a queue', { 'queues.0.nmae': 'x' }, 'queues[0].nmae', 'not a known key'],
    ['unknown key with no near match', { 'log.colour': true }, 'log.colour', 'allowed: level, format, redactFields'],
    ['region typo', { 'genesys.region': 'mypurecloud.i' }, 'genesys.region', 'did you mean "mypurecloud.ie"?'],
    ['region as API host', { 'genesys.region': 'api.euw2.pure.cloud' }, 'genesys.region', 'did you mean "euw2.pure.cloud"?'],
    ['region far off', { 'genesys.region': 'europe' }, 'genesys.region', 'one of: mypurecloud.com, '],
    ['region and gatewayUrl', { 'genesys.gatewayUrl': 'https://gw.example.com' }, 'genesys', 'only one of region, gatewayUrl'],
    ['neither region nor gatewayUrl', { 'genesys.region': REMOVE }, 'genesys', 'needs one of: region, gatewayUrl'],
    [
      'http gateway to a non-loopback host',
      { 'genesys.region': REMOVE, 'genesys.gatewayUrl': 'http://10.1.2.3:8123' },
      'genesys.gatewayUrl',
      'not loopback',
    ],
    [
      'gateway that is not a URL',
      { 'genesys.region': REMOVE, 'genesys.gatewayUrl': 'gateway.local:8123' },
      'genesys.gatewayUrl',
      'http:// or https://',
    ],
    ['missing clientSecret', { 'genesys.clientSecret': REMOVE }, 'genesys.clientSecret', 'is required'],
    ['requestsPerMinute too high', { 'genesys.requestsPerMinute': 10_001 }, 'genesys.requestsPerMinute', 'from 1 to 10000'],
    ['requestsPerMinute zero', { 'genesys.requestsPerMinute': 0 }, 'genesys.requestsPerMinute', 'from 1 to 10000'],
    ['timeout as a string', { 'crm.timeoutMs': '2000' }, 'crm.timeoutMs', 'must be an integer'],
    ['fractional number', { 'pipeline.queueSize': 1.5 }, 'pipeline.queueSize', 'must be an integer'],
    ['missing queues', { queues: REMOVE }, 'queues', 'is required'],
    ['empty queues', { queues: [] }, 'queues', 'at least one queue'],
    ['queues not a list', { queues: 'Support' }, 'queues', 'must be a list'],
    ['queue with both name and id', { queues: [{ name: 'A', id: UUID }] }, 'queues[0]', 'only one of name, id'],
    ['queue with neither', { queues: [{ name: 'A' }, {}] }, 'queues[1]', 'needs one of: name, id'],
    ['bad queue UUID', { queues: [{ name: 'A' }, { id: '6c2f0b8e-1d1e' }] }, 'queues[1].id', 'must be a UUID'],
    ['duplicate queue', { queues: [{ id: UUID }, { name: 'A' }, { id: UUID.toUpperCase() }] }, 'queues[2]', 'repeats'],
    ['blank queue name', { queues: [{ name: '  ' }] }, 'queues[0].name', 'non-empty string'],
    ['duplicate media', { media: ['call', 'chat', 'call'] }, 'media[2]', 'repeats an earlier media type'],
    ['empty media', { media: [] }, 'media', 'at least one of'],
    ['unknown media', { media: ['call', 'sms'] }, 'media[1]', 'one of: call, chat, message, email, callback'],
    ['unknown trigger', { trigger: 'connected' }, 'trigger', 'agent-connected, queued'],
    ['unknown target', { target: 'acd' }, 'target', 'customer, agent'],
    ['flow with two selectors', { 'flow.name': 'Inbound' }, 'flow', 'only one of id, name, schema'],
    ['flow with none', { flow: {} }, 'flow', 'needs one of: id, name, schema'],
    ['bad flow UUID', { 'flow.id': 'inbound-flow' }, 'flow.id', 'must be a UUID'],
    ['inline schema not an object type', { flow: { schema: { type: 'array', properties: {} } } }, 'flow.schema.type', 'one of: object'],
    ['inline schema without properties', { flow: { schema: { type: 'object' } } }, 'flow.schema.properties', 'is required'],
    [
      'mapped input missing from the inline schema',
      { flow: { schema: { type: 'object', properties: { 'Flow.other': { type: 'string' } } } } },
      'attributes.map["Flow.accountId"]',
      'not a property of the inline flow.schema',
    ],
    ['missing crm.url', { 'crm.url': REMOVE }, 'crm.url', 'is required'],
    ['unknown placeholder', { 'crm.url': 'https://crm.example.com/c?p={phon}' }, 'crm.url', 'unknown placeholder {phon}'],
    ['empty attr placeholder', { 'crm.url': 'https://crm.example.com/c/{attr:}' }, 'crm.url', 'unknown placeholder {attr:}'],
    ['unbalanced brace', { 'crm.url': 'https://crm.example.com/c?p={phone' }, 'crm.url', 'unbalanced'],
    ['placeholder in the host', { 'crm.url': 'https://{queueId}.crm.example.com/c' }, 'crm.url', 'not in the scheme or host'],
    ['crm url not http', { 'crm.url': 'ftp://crm.example.com/{phone}' }, 'crm.url', 'http:// or https://'],
    ['credentials in the crm url', { 'crm.url': 'https://u:p@crm.example.com/{phone}' }, 'crm.url', 'credentials'],
    ['bad header name', { 'crm.headers': { 'X Token': 'a' } }, 'crm.headers["X Token"]', 'not a valid HTTP header name'],
    ['header value with a line break', { 'crm.headers': { 'X-Token': 'a\r\nX-Evil: 1' } }, 'crm.headers["X-Token"]', 'line breaks'],
    ['header value not a string', { 'crm.headers': { 'X-Retries': 3 } }, 'crm.headers["X-Retries"]', 'must be a string'],
    ['cache max zero', { 'crm.cache.max': 0 }, 'crm.cache.max', 'from 1 to'],
    ['bad JSON pointer (no slash)', { 'attributes.map': { 'Flow.accountId': 'account.id' } }, 'attributes.map["Flow.accountId"]', 'starting with "/"'],
    ['bad JSON pointer (bad escape)', { 'attributes.map': { 'Flow.x': '/a~2b' } }, 'attributes.map["Flow.x"]', 'not a valid JSON pointer'],
    ['empty attribute map', { 'attributes.map': {} }, 'attributes.map', 'at least one flow input'],
    ['colliding attribute keys', { 'attributes.map': { 'Flow.id': '/a', id: '/b' } }, 'attributes.map.id', 'same attribute key as "Flow.id"'],
    ['empty attribute key', { 'attributes.map': { 'Flow.': '/a' } }, 'attributes.map["Flow."]', 'empty attribute key'],
    ['maxValueLength zero', { 'attributes.maxValueLength': 0 }, 'attributes.maxValueLength', 'from 1 to'],
    ['webhook not a URL', { 'analytics.webhookUrl': 'analytics.example.com' }, 'analytics.webhookUrl', 'http:// or https://'],
    ['empty audit file', { 'audit.file': '' }, 'audit.file', 'non-empty string'],
    ['listen without port', { 'http.listen': '127.0.0.1' }, 'http.listen', 'HOST:PORT'],
    ['listen port too big', { 'http.listen': '127.0.0.1:65536' }, 'http.listen', 'HOST:PORT'],
    ['listen as a number', { 'http.listen': 9464 }, 'http.listen', 'must be a string'],
    ['backfill too often', { 'backfill.intervalMs': 10 }, 'backfill.intervalMs', '0 (off) or an integer from 1000'],
    ['unknown log level', { 'log.level': 'trace' }, 'log.level', 'error, warn, info, debug'],
    ['unknown log format', { 'log.format': 'text' }, 'log.format', 'auto, json, pretty'],
    ['redactFields not a list', { 'log.redactFields': 'phone' }, 'log.redactFields', 'must be a list'],
    ['section not a mapping', { pipeline: 5 }, 'pipeline', 'must be a mapping'],
  ])('%s', (_what, edits, path, text) => {
    const err = configErrorOf(() => parse(rawWith(edits)));
    expect(err.code).toBe('config.invalid');
    expect(err.file).toBe(FILE);
    expect(err.path).toBe(path);
    expect(err.message).toContain(FILE);
    expect(err.message).toContain(`${path}: `);
    expect(err.message).toContain(text);
  });
});

describe('ConfigError', () => {
  it('is an EnricherError with code config.invalid', () => {
    const err = configErrorOf(() => parse(rawWith({ trigger: 'x' })));
    expect(err).toBeInstanceOf(EnricherError);
    expect(err.name).toBe('ConfigError');
  });

  it('lists every failing path in one error, the first in `path`', () => {
    const err = configErrorOf(() =>
      parse(rawWith({ 'genesys.timeoutMs': -1, 'crm.maxConcurrent': 0, extra: 1, 'log.level': 'loud' })),
    );
    const paths = err.problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['genesys.timeoutMs', 'crm.maxConcurrent', 'extra', 'log.level']));
    expect(paths).toHaveLength(4);
    expect(err.path).toBe(paths[0]);
    expect(err.message).toContain('has 4 problems');
    for (const path of paths) expect(err.message).toContain(`  - ${path}: `);
  });

  it.each([
    ['null', null, 'is empty'],
    ['a list', [1, 2], 'must hold a mapping'],
    ['a string', 'genesys: x', 'must hold a mapping'],
  ])('refuses a file whose top level is %s', (_what, raw, text) => {
    const err = configErrorOf(() => parseConfig(raw, { file: FILE, env: {} }));
    expect(err.path).toBe('');
    expect(err.message).toBe(`config file ${FILE}: ${text}${text === 'is empty' ? '' : ' of keys (genesys, queues, ...) at the top level'}`);
  });

  it('reports the required sections of an empty mapping', () => {
    const err = configErrorOf(() => parseConfig({}, { file: FILE, env: {} }));
    expect(err.problems.map((p) => p.path).sort()).toEqual(['attributes', 'crm', 'flow', 'genesys', 'queues']);
    expect(err.problems.every((p) => p.message === 'is required')).toBe(true);
  });

  it('reports a "__proto__" key (as JSON.parse makes it) as unknown instead of following it', () => {
    const raw = { ...minimalRaw(), log: JSON.parse('{"__proto__": {"level": "debug"}}') as unknown };
    const err = configErrorOf(() => parse(raw));
    expect(err.path).toBe('log.__proto__');
    expect(err.message).toContain('not a known key');
  });

  it('still parses the minimal config (the table above starts from a valid one)', () => {
    expect(() => parse(minimalRaw())).not.toThrow();
  });

  it('can be built directly and keeps its fields', () => {
    const err = new ConfigError('a.yaml', [{ path: 'x.y', message: 'is wrong' }]);
    expect([err.file, err.path, err.message]).toEqual(['a.yaml', 'x.y', 'config file a.yaml: x.y: is wrong']);
  });
});
