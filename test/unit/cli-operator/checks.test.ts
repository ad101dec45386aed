/** The `check` steps one by one over a fake Genesys API. */
import { describe, expect, it } from 'vitest';
import { checkState } from '../../../src/cli/operator/check-state.js';
import { checkTopics, probeTopics, rejectionLines } from '../../../src/cli/operator/check-topics.js';
import { checkAttributeMap, checkConfig, checkFlow, checkLogin, checkQueues } from '../../../src/cli/operator/checks-org.js';
import { runChecks } from '../../../src/cli/operator/run-checks.js';
import { result } from '../../../src/cli/operator/report.js';
import { GenesysApiError } from '../../../src/genesys/errors.js';
import { config, deps, fakeApi, FLOW_ID, Q1, Q2, schema, SCHEMA } from './fixtures.js';

function loggedIn(api = fakeApi(), cfg = config()) {
  const state = checkState(cfg, deps(api));
  state.api = api;
  return state;
}

describe('checkConfig', () => {
  it('is ok without warnings and lists them as a warning otherwise', async () => {
    expect(await checkConfig(checkState(config(), deps(fakeApi())))).toEqual([result('config', 'ok', 'valid: 2 queues, trigger agent-connected, target customer')]);
    const warned = { ...config(), warnings: ['inline secret'] };
    const [line] = await checkConfig(checkState(warned, deps(fakeApi())));
    expect(line).toMatchObject({ status: 'warn', details: ['inline secret'] });
  });
});

describe('checkLogin', () => {
  it('keeps the client when the login works', async () => {
    const api = fakeApi();
    const state = checkState(config(), deps(api));
    expect((await checkLogin(state))[0]).toMatchObject({ status: 'ok', message: 'logged in (region mypurecloud.ie)' });
    expect(state.api).toBe(api);
  });

  it('fails with a safe message and closes the client when the login is refused', async () => {
    const api = fakeApi({ login: () => Promise.reject(new GenesysApiError('POST /oauth/token', 401, 'invalid_client', undefined, undefined, 'bad credentials')) });
    const state = checkState(config(), deps(api));
    const [line] = await checkLogin(state);
    expect(line).toMatchObject({ status: 'fail' });
    expect(line?.message).toMatch(/cannot log in \(region mypurecloud\.ie\): genesys\.api: POST \/oauth\/token answered 401/);
    expect(line?.message).not.toContain('s3cret-value');
    expect(state.api).toBeUndefined();
    expect(api.calls).toContain('close');
  });
});

describe('checkQueues', () => {
  it('reports each queue on its own line and keeps those that resolve', async () => {
    const state = loggedIn(fakeApi(), config({ queues: [{ name: 'Nope' }, { name: 'Support DE' }, { id: Q2 }] }));
    const lines = await checkQueues(state);
    expect(lines.map((l) => [l.status, l.message])).toEqual([
      ['fail', 'queues[0].name: no queue is named "Nope"'],
      ['ok', `"Support DE" -> ${Q1}`],
      ['ok', `${Q2} (configured by id, not looked up)`],
    ]);
    expect(state.queues).toEqual([{ id: Q1, name: 'Support DE' }, { id: Q2 }]);
    expect(state.allQueuesResolved).toBe(false);
  });

  it('says when a name is ambiguous', async () => {
    const api = fakeApi({ findQueuesByName: (name) => Promise.resolve([{ id: Q1, name }, { id: Q2, name }]) });
    const [line] = await checkQueues(loggedIn(api, config({ queues: [{ name: 'Twice' }] })));
    expect(line?.message).toBe('queues[0].name: 2 queues are named "Twice"; use its id');
  });

  it('is skipped without a login', async () => {
    expect((await checkQueues(checkState(config(), deps(fakeApi()))))[0]?.status).toBe('skip');
  });
});

describe('checkFlow', () => {
  it('resolves the flow and compiles its published schema', async () => {
    const state = loggedIn();
    const [flow, schemaLine] = await checkFlow(state);
    expect(flow).toMatchObject({ status: 'ok', message: `${FLOW_ID} (configured by id)` });
    expect(schemaLine).toMatchObject({ status: 'ok', message: 'published version 3.0: 5 fields usable' });
    expect(schemaLine?.details).toContain('Flow.tags       unsupported type: never written');
    expect(state.schema?.versionId).toBe('3.0');
    expect(state.flowId).toBe(FLOW_ID);
  });

  it('says a published version without an input schema needs an inline one', async () => {
    const api = fakeApi({ getFlowVersion: (_f, id) => Promise.resolve({ id }) });
    const [, schemaLine] = await checkFlow(loggedIn(api));
    expect(schemaLine).toMatchObject({ status: 'fail' });
    expect(schemaLine?.message).toMatch(/has no input schema; configure flow\.schema inline/);
  });

  it('fails a flow name nobody has, naming flow.name, and skips the schema', async () => {
    const lines = await checkFlow(loggedIn(fakeApi(), config({ flow: { name: 'Ghost' } })));
    expect(lines.map((l) => [l.status, l.message])).toEqual([
      ['fail', 'flow.name: no flow is named "Ghost"'],
      ['skip', 'not checked: the flow did not resolve'],
    ]);
  });

  it('compiles an inline schema without calling Genesys', async () => {
    const api = fakeApi();
    const state = checkState(config({ flow: { schema: SCHEMA } }), deps(api));
    const lines = await checkFlow(state);
    expect(lines.map((l) => l.status)).toEqual(['ok', 'ok']);
    expect(lines[1]?.message).toBe('inline schema: 5 fields usable');
    expect(api.calls).toEqual([]);
  });
});

describe('checkAttributeMap', () => {
  it.each([
    [{ 'Flow.accountId': '/id', 'Flow.case': '/case' }, 'ok', '2 mapped inputs, all in the schema'],
    [{ 'Flow.accountId': '/id' }, 'warn', '1 mapped inputs in the schema; required inputs not mapped: Flow.case'],
    [{ 'Flow.accountId': '/id', 'Flow.case': '/c', 'Flow.nope': '/n', 'Flow.tags': '/t' }, 'fail', '2 of 4 mapped inputs missing from the schema: Flow.nope, Flow.tags'],
  ])('%o', async (map, status, message) => {
    const state = checkState(config({ attributes: { prefix: 'crm.', map } }), deps(fakeApi()));
    state.schema = schema();
    const [line] = await checkAttributeMap(state);
    expect(line).toMatchObject({ status, message });
  });

  it('is skipped without a schema', async () => {
    expect((await checkAttributeMap(checkState(config(), deps(fakeApi()))))[0]?.status).toBe('skip');
  });
});

describe('checkTopics', () => {
  it('probes the generic queue topics and the flow topic on one channel, then removes them', async () => {
    const subscribed: string[][] = [];
    const api = fakeApi({
      subscribe: (_ch, topics) => {
        subscribed.push([...topics]);
        return Promise.resolve({ rejected: [{ topic: topics[0]!, reason: 'denied', missingPermissions: ['routing:queue:view'] }] });
      },
    });
    const state = loggedIn(api);
    state.queues.push({ id: Q1, name: 'Support DE' });
    state.flowId = FLOW_ID;
    state.flowResolved = true;
    const [line] = await checkTopics(state);
    expect(subscribed).toEqual([[`v2.routing.queues.${Q1}.conversations`, `v2.flows.${FLOW_ID}`]]);
    expect(line).toMatchObject({ status: 'fail', message: '1 of 2 topics rejected (only what resolved)' });
    expect(line?.details).toEqual([`v2.routing.queues.${Q1}.conversations ("Support DE"): missing routing:queue:view (denied)`]);
    expect(api.calls.slice(-3)).toEqual(['createChannel', 'subscribe', 'unsubscribeAll']);
  });

  it('removes the topics even when the subscribe call fails', async () => {
    const api = fakeApi({ subscribe: () => Promise.reject(new GenesysApiError('PUT subs', 400, 'bad', undefined, undefined, 'too many')) });
    const state = loggedIn(api);
    state.queues.push({ id: Q1 });
    const [line] = await checkTopics(state);
    expect(line?.status).toBe('fail');
    expect(line?.message).toMatch(/^cannot probe the subscriptions: genesys\.api: PUT subs answered 400/);
    expect(api.calls).toContain('unsubscribeAll');
  });

  it('warns when the clean-up fails', async () => {
    const api = fakeApi({ unsubscribeAll: () => Promise.reject(new GenesysApiError('DELETE subs', 503, undefined, undefined, undefined, 'down')) });
    const state = loggedIn(api);
    state.queues.push({ id: Q1 });
    state.allQueuesResolved = true;
    state.flowResolved = true;
    const lines = await checkTopics(state);
    expect(lines.map((l) => l.status)).toEqual(['ok', 'warn']);
    expect(lines[0]?.message).toBe('1 topic permitted on a probe channel');
  });

  it('is skipped when nothing resolved', async () => {
    expect((await checkTopics(loggedIn()))[0]?.status).toBe('skip');
  });

  it('lists the queue topics the media need, one generic topic per queue', () => {
    expect(probeTopics({ queues: [{ id: Q1 }, { id: Q2 }], config: config() })).toEqual([
      `v2.routing.queues.${Q1}.conversations`,
      `v2.routing.queues.${Q2}.conversations`,
    ]);
    expect(rejectionLines([{ topic: 'v2.flows.x', missingPermissions: [] }], new Map())).toEqual(['v2.flows.x: no missing permission named']);
  });
});

describe('runChecks', () => {
  it('turns a throwing step into a failed line, goes on, and closes the client', async () => {
    const api = fakeApi();
    const seen: string[] = [];
    const results = await runChecks(
      loggedIn(api),
      (r) => seen.push(`${r.check}:${r.status}`),
      [
        { name: 'boom', run: () => Promise.reject(new Error('kaput')) },
        { name: 'after', run: () => Promise.resolve([result('after', 'ok', 'fine')]) },
      ],
    );
    expect(seen).toEqual(['boom:fail', 'after:ok']);
    expect(results[0]?.message).toBe('unexpected: unexpected Error: kaput');
    expect(api.calls).toContain('close');
  });
});
