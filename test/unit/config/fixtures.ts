/** Shared helpers for the config tests: a minimal valid raw config and error capture. */
import { expect } from 'vitest';
import { ConfigError, parseConfig, type EnricherConfig } from '../../../src/config/index.js';

export const FILE = '/etc/genesys-enricher/config.yaml';

export const ENV = {
  GENESYS_CLIENT_ID: 'client-id-1234',
  GENESYS_CLIENT_SECRET: 'Sup3r-Secret-Value-987',
  CRM_TOKEN: 'crm-token-XYZ-555',
} as const;

/** The smallest valid config: only the keys without defaults. A fresh object on every call. */
export function minimalRaw(): Record<string, unknown> {
  return {
    genesys: {
      region: 'mypurecloud.ie',
      clientId: '${GENESYS_CLIENT_ID}',
      clientSecret: '${GENESYS_CLIENT_SECRET}',
    },
    queues: [{ name: 'Support DE' }],
    flow: { id: '0f3b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' },
    crm: { url: 'https://crm.example.com/customers?phone={phone}' },
    attributes: { map: { 'Flow.accountId': '/account/id' } },
  };
}

/** Marks a key to remove in {@link rawWith}. */
export const REMOVE = Symbol('remove');

/**
 * {@link minimalRaw} with edits: keys are dotted paths ("crm.cache.max", "queues.1.id"), missing
 * levels are created; {@link REMOVE} deletes the key.
 */
export function rawWith(edits: Record<string, unknown>): Record<string, unknown> {
  const raw = minimalRaw();
  for (const [path, value] of Object.entries(edits)) {
    const keys = path.split('.');
    let node = raw;
    for (const key of keys.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    const last = keys.at(-1)!;
    if (value === REMOVE) Reflect.deleteProperty(node, last);
    else node[last] = value;
  }
  return raw;
}

/** Parses with the test environment unless another one is given. */
export function parse(
  raw: unknown,
  env: Record<string, string | undefined> = ENV,
  credentialsDirectory?: string,
): EnricherConfig {
  return parseConfig(raw, { file: FILE, env, credentialsDirectory });
}

/** Runs `fn`, expects a ConfigError, and returns it. */
export function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

/** Same for promises. */
export async function configErrorOfAsync(promise: Promise<unknown>): Promise<ConfigError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

/** Reads a dotted path ("crm.cache.max") out of an object. */
export function valueAt(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
}
