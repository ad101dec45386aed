import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { configFormatOf, loadConfig } from '../../../src/config/index.js';
import { ENV, configErrorOfAsync, minimalRaw } from './fixtures.js';

const YAML_CONFIG = `# comment
genesys:
  region: mypurecloud.de
  clientId: \${GENESYS_CLIENT_ID}
  clientSecret: \${GENESYS_CLIENT_SECRET}
queues:
  - name: Support DE
  - id: 6c2f0b8e-1d1e-4c1b-9a55-0b2a3f1c7e10
media: [call, chat]
flow:
  id: 0f3b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
crm:
  url: https://crm.example.com/customers?phone={phone}
  headers: { Authorization: "Bearer \${CRM_TOKEN}" }
attributes:
  map:
    Flow.accountId: /account/id
audit:
  file: logs/audit.jsonl
analytics:
  # every line commented out: defaults apply
`;

let dir: string;
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'enricher-config-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('loadConfig', () => {
  it('loads a YAML file and resolves paths against its folder', async () => {
    const file = write('config.yaml', YAML_CONFIG);
    const config = await loadConfig(file, { env: ENV });
    expect(config.genesys.region).toBe('mypurecloud.de');
    expect(config.genesys.clientSecret).toBe(ENV.GENESYS_CLIENT_SECRET);
    expect(config.queues).toEqual([{ name: 'Support DE' }, { id: '6c2f0b8e-1d1e-4c1b-9a55-0b2a3f1c7e10' }]);
    expect(config.media).toEqual(['call', 'chat']);
    expect(config.crm.headers).toEqual({ Authorization: `Bearer ${ENV.CRM_TOKEN}` });
    expect(config.audit.file).toBe(join(dir, 'logs', 'audit.jsonl'));
    expect(config.analytics).toEqual({ timeoutMs: 2_000 });
  });

  it('loads the same config from .yml and .json files', async () => {
    const fromYaml = await loadConfig(write('same.yml', YAML_CONFIG), { env: ENV });
    const json = JSON.stringify({ ...minimalRaw(), 'genesys': { ...(minimalRaw().genesys as object), region: 'mypurecloud.de' } });
    const fromJson = await loadConfig(write('same.json', json), { env: ENV });
    expect(fromJson.genesys).toEqual(fromYaml.genesys);
    expect(fromJson.flow).toEqual(fromYaml.flow);
    expect(fromJson.attributes).toEqual(fromYaml.attributes);
  });

  it('reads a file with a byte-order mark', async () => {
    const config = await loadConfig(write('bom.json', `\uFEFF${JSON.stringify(minimalRaw())}`), { env: ENV });
    expect(config.trigger).toBe('agent-connected');
  });

  it('defaults to process.env and its CREDENTIALS_DIRECTORY', async () => {
    write('client-secret', 'from-credential-file\n');
    vi.stubEnv('GENESYS_CLIENT_ID', 'env-id');
    vi.stubEnv('CREDENTIALS_DIRECTORY', dir);
    const file = write('creds.yaml', YAML_CONFIG.replace('${GENESYS_CLIENT_SECRET}', '${credential:client-secret}').replace('Bearer ${CRM_TOKEN}', 'x'));
    const config = await loadConfig(file);
    expect(config.genesys.clientId).toBe('env-id');
    expect(config.genesys.clientSecret).toBe('from-credential-file');
  });

  it('names the file and key of a validation error', async () => {
    const file = write('bad-key.yaml', YAML_CONFIG.replace('media: [call, chat]', 'media: [call, chat, call]'));
    const err = await configErrorOfAsync(loadConfig(file, { env: ENV }));
    expect(err.file).toBe(file);
    expect(err.path).toBe('media[2]');
    expect(err.message).toContain(file);
  });

  it.each([
    ['config.toml', 'must end in .yaml, .yml or .json'],
    ['config', 'must end in .yaml, .yml or .json'],
  ])('refuses %s', async (name, text) => {
    const err = await configErrorOfAsync(loadConfig(write(name, YAML_CONFIG), { env: ENV }));
    expect(err.path).toBe('');
    expect(err.message).toContain(text);
  });

  it('reports a missing file with its error code', async () => {
    const file = join(dir, 'missing.yaml');
    const err = await configErrorOfAsync(loadConfig(file, { env: ENV }));
    expect(err.message).toBe(`config file ${file}: cannot be read (ENOENT)`);
  });

  it('reports an empty file', async () => {
    const err = await configErrorOfAsync(loadConfig(write('empty.yaml', '# nothing yet\n'), { env: ENV }));
    expect(err.message).toContain('is empty');
  });

  it('loads config/example.yaml as shipped', async () => {
    const example = fileURLToPath(new URL('../../../config/example.yaml', import.meta.url));
    const config = await loadConfig(example, { env: ENV, credentialsDirectory: undefined });
    expect(config.genesys.region).toBe('mypurecloud.ie');
    expect(config.warnings).toBeUndefined();
    expect(Object.keys(config.attributes.map).length).toBeGreaterThan(0);
  });
});

describe('syntax errors', () => {
  const SECRET = 'inline-SECRET-in-file';

  it.each([
    ['YAML duplicate key', 'dup.yaml', `genesys:\n  clientSecret: ${SECRET}\n  clientSecret: ${SECRET}\n`, /YAML: Map keys must be unique at line 3, column 3$/],
    ['YAML bad indentation', 'indent.yaml', `crm:\n  url: [x\nkey: ${SECRET} a: b\n`, /^config file .* has 2 problems:\n {2}- YAML: .* at line 3, column 1\n/],
    ['YAML unclosed quote', 'quote.yaml', `genesys:\n  clientSecret: "${SECRET}\n`, /YAML: Missing closing "quote at line \d+, column \d+$/],
    ['YAML several documents', 'docs.yaml', `a: 1\n---\nb: ${SECRET}\n`, /YAML: Source contains multiple documents/],
    ['YAML unknown tag', 'tag.yaml', `genesys: !secret ${SECRET}\n`, /YAML: Unresolved tag: !secret at line 1, column 10$/],
    ['JSON with a quoted snippet', 'token.json', `{"clientSecret": ${SECRET}}`, /JSON: unexpected token$/],
    ['JSON trailing comma', 'comma.json', `{\n  "a": "${SECRET}",\n}`, /JSON: Expected double-quoted property name at line 3, column 1$/],
    ['JSON cut short', 'short.json', `{"a": "${SECRET}"`, /JSON: (Unexpected end of JSON input|Expected ',' or '}' after property value.*)$/],
  ])('%s is located without quoting the file', async (_what, name, text, expected) => {
    const err = await configErrorOfAsync(loadConfig(write(name, text), { env: ENV }));
    expect(err.path).toBe('');
    expect(err.message).toMatch(expected);
    expect(err.message).not.toContain(SECRET);
  });

  it('picks the syntax by extension', () => {
    expect([configFormatOf('a.YAML'), configFormatOf('a.yml'), configFormatOf('/x/a.json'), configFormatOf('a.txt')]).toEqual([
      'yaml',
      'yaml',
      'json',
      undefined,
    ]);
  });
});
