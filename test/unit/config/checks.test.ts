import { describe, expect, it } from 'vitest';
import { formatPath } from '../../../src/config/index.js';
import { checkCrmUrlTemplate, checkGatewayUrl, isLoopbackHost, parseListen, templatePlaceholders } from '../../../src/config/urls.js';
import { attributeKey, checkRegion, closestMatch, editDistance, parseJsonPointer } from '../../../src/config/values.js';

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.5.6.7', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['api.localhost', true],
    ['[::1]', true],
    ['::1', true],
    ['128.0.0.1', false],
    ['127.0.0.256', false],
    ['10.0.0.1', false],
    ['localhost.example.com', false],
    ['127.0.0.1.nip.io', false],
    ['[::2]', false],
  ])('%s -> %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('checkGatewayUrl', () => {
  it.each([
    ['http://127.0.0.1:8123', undefined],
    ['http://localhost:8123/prefix', undefined],
    ['http://[::1]:8123', undefined],
    ['http://127.1:8123', undefined], // WHATWG URL normalises it to 127.0.0.1
    ['https://gateway.example.com', undefined],
    ['https://10.0.0.5:8443', undefined],
    ['http://gateway.example.com', 'not loopback'],
    ['http://0.0.0.0:8123', 'not loopback'],
    ['ftp://127.0.0.1', 'http:// or https://'],
    ['127.0.0.1:8123', 'http:// or https://'],
    ['https://user:pw@gateway.example.com', 'credentials'],
    ['https://gateway.example.com/?a=1', 'query or fragment'],
  ])('%s', (url, problem) => {
    const result = checkGatewayUrl(url);
    if (problem === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(problem);
  });
});

describe('checkCrmUrlTemplate', () => {
  it.each([
    ['https://crm.example.com/customers?phone={phone}', undefined],
    ['http://crm.internal:8080/c/{email}/{conversationId}?q={queueId}', undefined],
    ['https://crm.example.com/c?acct={attr:Flow.accountId}&lang={attr:ivr_lang}', undefined],
    ['https://crm.example.com/customers', undefined],
    ['https://crm.example.com/c?p={Phone}', 'unknown placeholder {Phone}'],
    ['https://crm.example.com/c/{}', 'unknown placeholder {}'],
    ['https://crm.example.com/c/{attr:a b}', 'unknown placeholder {attr:a b}'],
    ['https://crm.example.com/c/{x}/{y}', 'unknown placeholder {x}, {y}'],
    ['https://crm.example.com/c/phone}', 'unbalanced'],
    ['https://crm.example.com:{queueId}/c', 'not in the scheme or host'],
    ['{phone}', 'http:// or https://'],
    ['mailto:{email}', 'http:// or https://'],
  ])('%s', (template, problem) => {
    const result = checkCrmUrlTemplate(template);
    if (problem === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(problem);
  });

  it('lists placeholders in order', () => {
    expect(templatePlaceholders('https://x/{phone}/{attr:a}?q={queueId}')).toEqual(['phone', 'attr:a', 'queueId']);
  });
});

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    ['0.0.0.0:65535', { host: '0.0.0.0', port: 65_535 }],
    ['[::]:0', { host: '::', port: 0 }],
    ['metrics.local:80', { host: 'metrics.local', port: 80 }],
    ['off', 'off'],
    ['OFF', undefined],
    [':9464', undefined],
    ['127.0.0.1', undefined],
    ['127.0.0.1:65536', undefined],
    ['::1:9464', undefined],
    ['[not:ipv6:zz]:9464', undefined],
    ['host:port', undefined],
  ])('%s -> %j', (value, expected) => {
    expect(parseListen(value)).toEqual(expected);
  });
});

describe('parseJsonPointer', () => {
  it.each([
    ['/account/id', ['account', 'id']],
    ['/a~1b/c~0d', ['a/b', 'c~d']],
    ['/items/0', ['items', '0']],
    ['/', ['']],
    ['', undefined],
    ['account/id', undefined],
    ['/a~2', undefined],
    ['/a~', undefined],
  ])('%j -> %j', (pointer, expected) => {
    expect(parseJsonPointer(pointer)).toEqual(expected);
  });
});

describe('checkRegion', () => {
  it.each([
    ['mypurecloud.com', undefined],
    ['usw2.pure.cloud', undefined],
    ['mypurecloud.co', 'did you mean "mypurecloud.com"?'],
    ['euw2.purecloud', 'did you mean "euw2.pure.cloud"?'],
    ['https://login.mypurecloud.de/', 'did you mean "mypurecloud.de"?'],
    ['us-east-1', 'one of: mypurecloud.com, mypurecloud.ie'],
  ])('%s', (region, problem) => {
    const result = checkRegion(region);
    if (problem === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(problem);
  });
});

describe('small helpers', () => {
  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['abc', 'abd', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('editDistance(%j, %j) = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it('finds the closest match within a distance', () => {
    expect(closestMatch('timout', ['timeoutMs', 'timeout', 'max'], 2)).toBe('timeout');
    expect(closestMatch('zzz', ['timeout'], 2)).toBeUndefined();
  });

  it.each([
    [['crm', 'timeoutMs'], 'crm.timeoutMs'],
    [['queues', 1, 'name'], 'queues[1].name'],
    [['attributes', 'map', 'Flow.accountId'], 'attributes.map["Flow.accountId"]'],
    [['crm', 'headers', 'X-Token'], 'crm.headers["X-Token"]'],
    [[], ''],
  ])('formatPath(%j) = %s', (segments, expected) => {
    expect(formatPath(segments)).toBe(expected);
  });

  it.each([
    ['', 'Flow.accountId', 'accountId'],
    ['crm_', 'Flow.accountId', 'crm_accountId'],
    ['crm_', 'plain', 'crm_plain'],
    ['', 'Flow.', ''],
  ])('attributeKey(%j, %j) = %j', (prefix, input, expected) => {
    expect(attributeKey(prefix, input)).toBe(expected);
  });
});
