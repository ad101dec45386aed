import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandString, parseReference, type Reference } from '../../../src/config/references.js';
import { ENV, FILE, configErrorOf, minimalRaw, parse, rawWith } from './fixtures.js';

const lookup = (ref: Reference): string => `<${ref.kind}:${ref.name}>`;

describe('expandString', () => {
  it.each([
    ['plain text', 'plain text', 0],
    ['${A}', '<env:A>', 1],
    ['Bearer ${CRM_TOKEN}', 'Bearer <env:CRM_TOKEN>', 1],
    ['${A}${B_2}', '<env:A><env:B_2>', 2],
    ['${credential:genesys-secret}', '<credential:genesys-secret>', 1],
    ['${credential:a.b_c@d}', '<credential:a.b_c@d>', 1],
    ['$${A}', '${A}', 0],
    ['cost: $5 {phone} $ {x}', 'cost: $5 {phone} $ {x}', 0],
    ['$$${A}', '$${A}', 0], // leftmost match: "$" then the escape "$${"
    ['a $${b} ${C}', 'a ${b} <env:C>', 1],
  ])('%s -> %s', (input, expected, references) => {
    expect(expandString(input, lookup)).toEqual({ text: expected, references });
  });

  it.each([
    ['${A', 'unterminated'],
    ['${}', 'invalid reference'],
    ['${1A}', 'invalid reference'],
    ['${A-B}', 'invalid reference'],
    ['${credential:}', 'invalid reference'],
    ['${credential:../etc/passwd}', 'invalid reference'],
    ['${credential:..}', 'invalid reference'],
    ['${file:x}', 'invalid reference'],
  ])('refuses %s', (input, text) => {
    expect(() => expandString(input, lookup)).toThrow(text);
  });

  it('parses reference bodies', () => {
    expect(parseReference('X_1')).toEqual({ kind: 'env', name: 'X_1' });
    expect(parseReference('credential:x')).toEqual({ kind: 'credential', name: 'x' });
    expect(parseReference('credential:a/b')).toBeUndefined();
  });
});

describe('environment references', () => {
  it('resolves ${NAME} anywhere in a string, including nested and list values', () => {
    const config = parse(
      rawWith({
        'crm.headers': { Authorization: 'Bearer ${CRM_TOKEN}' },
        queues: [{ name: 'Queue ${QUEUE_SUFFIX}' }],
        'log.redactFields': ['${FIELD}'],
      }),
      { ...ENV, QUEUE_SUFFIX: 'DE', FIELD: 'ssn' },
    );
    expect(config.crm.headers).toEqual({ Authorization: `Bearer ${ENV.CRM_TOKEN}` });
    expect(config.queues).toEqual([{ name: 'Queue DE' }]);
    expect(config.log.redactFields).toEqual(['ssn']);
  });

  it('keeps "$${" as a literal "${"', () => {
    const config = parse(rawWith({ 'attributes.prefix': 'x$${y}' }));
    expect(config.attributes.prefix).toBe('x${y}');
  });

  it('treats a variable set to "" as set', () => {
    const config = parse(rawWith({ 'attributes.prefix': '${EMPTY}' }), { ...ENV, EMPTY: '' });
    expect(config.attributes.prefix).toBe('');
  });

  it('names the key and the variable when a variable is missing', () => {
    const err = configErrorOf(() => parse(minimalRaw(), { GENESYS_CLIENT_ID: 'id' }));
    expect(err.path).toBe('genesys.clientSecret');
    expect(err.problems).toHaveLength(1); // not a second "is required" for the same key
    expect(err.message).toBe(
      `config file ${FILE}: genesys.clientSecret: references environment variable GENESYS_CLIENT_SECRET, which is not set`,
    );
  });

  it('reports every missing variable at once', () => {
    const err = configErrorOf(() => parse(rawWith({ 'crm.headers': { 'X-Key': '${CRM_KEY}' } }), {}));
    expect(err.problems.map((p) => p.path)).toEqual(['genesys.clientId', 'genesys.clientSecret', 'crm.headers["X-Key"]']);
    expect(err.message).toContain('GENESYS_CLIENT_ID');
    expect(err.message).toContain('CRM_KEY');
  });

  it('reports bad reference syntax at its key', () => {
    const err = configErrorOf(() => parse(rawWith({ 'crm.url': 'https://crm.example.com/${oops/{phone}' })));
    expect(err.path).toBe('crm.url');
    expect(err.message).toContain('invalid reference');
  });

  it('does not resolve references in keys', () => {
    const err = configErrorOf(() => parse(rawWith({ 'crm.${KEY}': 1 }), { ...ENV, KEY: 'timeoutMs' }));
    expect(err.path).toBe('crm["${KEY}"]');
  });
});

describe('credential references (systemd LoadCredential=)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'enricher-creds-'));
    writeFileSync(join(dir, 'genesys-secret'), 'cred-secret-value\n');
    writeFileSync(join(dir, 'crlf'), 'crlf-value\r\n');
    writeFileSync(join(dir, 'two-lines'), 'line1\nline2\n\n');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads $CREDENTIALS_DIRECTORY/NAME without its trailing newline', () => {
    const config = parse(
      rawWith({ 'genesys.clientSecret': '${credential:genesys-secret}', 'crm.headers': { A: '${credential:crlf}' } }),
      ENV,
      dir,
    );
    expect(config.genesys.clientSecret).toBe('cred-secret-value');
    expect(config.crm.headers.A).toBe('crlf-value');
  });

  it('trims only one trailing newline', () => {
    const config = parse(rawWith({ 'attributes.prefix': '${credential:two-lines}' }), ENV, dir);
    expect(config.attributes.prefix).toBe('line1\nline2\n');
  });

  it('falls back to env.CREDENTIALS_DIRECTORY', () => {
    const config = parse(rawWith({ 'genesys.clientSecret': '${credential:genesys-secret}' }), {
      ...ENV,
      CREDENTIALS_DIRECTORY: dir,
    });
    expect(config.genesys.clientSecret).toBe('cred-secret-value');
  });

  it('names the key and the credential when the file is missing', () => {
    const err = configErrorOf(() => parse(rawWith({ 'genesys.clientSecret': '${credential:nope}' }), ENV, dir));
    expect(err.path).toBe('genesys.clientSecret');
    expect(err.message).toContain('references credential nope, which cannot be read (ENOENT)');
    expect(err.message).not.toContain(dir);
  });

  it('says so when CREDENTIALS_DIRECTORY is not set', () => {
    const err = configErrorOf(() => parse(rawWith({ 'genesys.clientSecret': '${credential:genesys-secret}' })));
    expect(err.path).toBe('genesys.clientSecret');
    expect(err.message).toContain('CREDENTIALS_DIRECTORY is not set');
  });
});
