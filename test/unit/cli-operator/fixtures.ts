/** Shared pieces of the operator command unit tests: a parsed config, a compiled schema and a fake Genesys API. */
import type { Models } from 'purecloud-platform-client-v2';
import { parseConfig, type EnricherConfig } from '../../../src/config/index.js';
import type { CheckDeps, OperatorCrm } from '../../../src/cli/operator/check-state.js';
import type { OperatorApi } from '../../../src/cli/operator/genesys.js';
import type { CrmResult } from '../../../src/crm/index.js';
import { silentLogger } from '../../../src/log.js';
import { compileSchema, type CompiledSchema } from '../../../src/schema/compile.js';

export const FLOW_ID = '0f3b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
export const Q1 = '6c2f0b8e-1d1e-4c1b-9a55-0b2a3f1c7e10';
export const Q2 = '2b7e4a91-8c3d-4f0e-b6a2-5d9c1e3f7a24';

export const SCHEMA: Models.JsonSchemaDocument = {
  type: 'object',
  properties: {
    'Flow.accountId': { type: 'string', maxLength: 12 },
    'Flow.tier': { type: 'string', enum: ['gold', 'silver'] },
    'Flow.balance': { type: 'number' },
    'Flow.since': { type: 'string', format: 'date' },
    'Flow.tags': { type: 'array' },
    'Flow.case': { type: 'string' },
  },
  required: ['Flow.accountId', 'Flow.case'],
};

export function schema(maxValueLength = 256): CompiledSchema {
  return compileSchema(SCHEMA, { versionId: '3.0', maxValueLength });
}

/** A config parsed from a small raw tree; `patch` replaces top-level sections. */
export function config(patch: Record<string, unknown> = {}): EnricherConfig {
  return parseConfig(
    {
      genesys: { region: 'mypurecloud.ie', clientId: 'id-1', clientSecret: '${SECRET}' },
      queues: [{ name: 'Support DE' }, { id: Q2 }],
      flow: { id: FLOW_ID },
      crm: { url: 'https://crm.example.com/customers?phone={phone?}&email={email?}', headers: { Authorization: 'Bearer ${TOKEN}' } },
      attributes: { prefix: 'crm.', map: { 'Flow.accountId': '/account/id', 'Flow.tier': '/tier' } },
      ...patch,
    },
    { file: '/etc/genesys-enricher/config.yaml', env: { SECRET: 's3cret-value', TOKEN: 'tok-value' } },
  );
}

/** A fake Genesys API whose calls are recorded; override any method per test. */
export function fakeApi(overrides: Partial<OperatorApi> = {}): OperatorApi & { calls: string[] } {
  const calls: string[] = [];
  const base: OperatorApi = {
    login: () => Promise.resolve(),
    close: () => Promise.resolve(),
    findQueuesByName: (name) => Promise.resolve(name === 'Support DE' ? [{ id: Q1, name }] : []),
    findFlowsByName: () => Promise.resolve([]),
    getFlow: (id) => Promise.resolve({ id, name: 'Flow', publishedVersion: { id: '3.0' } } as Awaited<ReturnType<OperatorApi['getFlow']>>),
    getFlowVersion: (_f, id) => Promise.resolve({ id, inputSchema: SCHEMA } as Awaited<ReturnType<OperatorApi['getFlowVersion']>>),
    createChannel: () => Promise.resolve({ id: 'ch-1', connectUri: 'ws://127.0.0.1/ch-1' }),
    subscribe: () => Promise.resolve({ rejected: [] }),
    unsubscribeAll: () => Promise.resolve(),
    getConversation: () => Promise.reject(new Error('not used')),
    patchParticipantAttributes: () => Promise.resolve({}),
    activeConversations: () => Promise.resolve({ entities: [], truncated: false }),
    availableTopics: () => Promise.resolve([]),
    ...overrides,
  };
  // Every call, overridden or not, is recorded by name.
  const recorded = Object.fromEntries(
    Object.entries(base).map(([name, fn]) => [
      name,
      (...args: unknown[]): unknown => {
        calls.push(name);
        return (fn as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as OperatorApi;
  return Object.assign(recorded, { calls });
}

/** Deps over a fake API and a CRM answering `answer`. */
export function deps(api: OperatorApi, answer: CrmResult = { outcome: 'miss', found: false, latencyMs: 3 }): CheckDeps & { crmClosed: () => boolean } {
  let closed = false;
  const crm: OperatorCrm = {
    lookup: () => Promise.resolve(answer),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  };
  return { genesys: () => api, crm: () => crm, logger: silentLogger, crmClosed: () => closed };
}
