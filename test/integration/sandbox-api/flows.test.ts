// Flow lookup through the official SDK, and the v2.flows.{id} frames a publish produces.
import { afterEach, describe, expect, it } from 'vitest';
import type { Models } from 'purecloud-platform-client-v2';
import { waitFor } from '../../helpers/wait-for.js';
import { DEMO_FLOW_ID, DEMO_FLOW_NAME, type Sandbox } from '../../../src/sandbox/index.js';
import { DEMO_INPUT_SCHEMA } from '../../../src/sandbox/org/flows.js';
import { extended, login, start, subscribedSocket, type TestSocket } from './harness.js';

let sandbox: Sandbox | undefined;
const sockets: TestSocket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await sandbox?.stop();
  sandbox = undefined;
});

const NEW_SCHEMA: Models.JsonSchemaDocument = {
  type: 'object',
  properties: { 'Flow.accountId': { type: 'string' }, 'Flow.segment': { type: 'string', enum: ['a', 'b'] } },
  required: ['Flow.accountId'],
};

describe('flow lookup', () => {
  it('getFlow answers the flow with its published version and input schema', async () => {
    sandbox = await start();
    const { architect } = await login(sandbox.port);
    const flow = await architect.getFlow(DEMO_FLOW_ID);
    expect(flow).toMatchObject({ id: DEMO_FLOW_ID, name: DEMO_FLOW_NAME, type: 'workflow', publishedVersion: { id: '1.0' } });
    expect(flow.inputSchema).toEqual(DEMO_INPUT_SCHEMA);
    const api = await login(sandbox.port, { extended: true });
    expect((await extended(api.architect.getFlow('no-such-flow'))).status).toBe(404);
  });

  it('getFlows filters names loosely (case-insensitive substring): exact matching is the client\'s job', async () => {
    sandbox = await start();
    sandbox.org.flows.create(`${DEMO_FLOW_NAME} v2`, 'workflow', NEW_SCHEMA);
    sandbox.org.flows.create(DEMO_FLOW_NAME.toUpperCase(), 'inboundcall');
    sandbox.org.flows.create('Unrelated', 'workflow', NEW_SCHEMA);
    const { architect } = await login(sandbox.port);

    const listing = await architect.getFlows({ name: DEMO_FLOW_NAME, includeSchemas: true });
    const names = (listing.entities ?? []).map((f) => f.name);
    expect(names.sort()).toEqual([DEMO_FLOW_NAME, `${DEMO_FLOW_NAME} v2`, DEMO_FLOW_NAME.toUpperCase()].sort());
    const exact = (listing.entities ?? []).filter((f) => f.name === DEMO_FLOW_NAME);
    expect(exact).toHaveLength(1);
    expect(exact[0]).toMatchObject({ id: DEMO_FLOW_ID, publishedVersion: { id: '1.0' }, inputSchema: DEMO_INPUT_SCHEMA });
    // A flow without a published version has nothing to offer.
    expect(listing.entities?.find((f) => f.name === DEMO_FLOW_NAME.toUpperCase())?.publishedVersion).toBeUndefined();

    const withoutSchemas = await architect.getFlows({ name: DEMO_FLOW_NAME });
    expect(withoutSchemas.entities?.every((f) => f.inputSchema === undefined)).toBe(true);
    expect((await architect.getFlows({ name: 'nothing like it' })).entities).toEqual([]);
    // The flows that answer traffic before a queue carry the Flow API's type names.
    const entry = await architect.getFlows({ name: 'Main Menu' });
    expect(entry.entities?.map((f) => [f.name, f.type])).toEqual([['Main Menu', 'inboundcall']]);
  });

  it('getFlowVersion answers the version with its input schema; unknown versions are 404', async () => {
    sandbox = await start();
    const { architect } = await login(sandbox.port);
    const version = await architect.getFlowVersion(DEMO_FLOW_ID, '1.0');
    expect(version).toMatchObject({ id: '1.0', inputSchema: DEMO_INPUT_SCHEMA, datePublished: expect.any(String) });
    const api = await login(sandbox.port, { extended: true });
    expect((await extended(api.architect.getFlowVersion(DEMO_FLOW_ID, '9.0'))).status).toBe(404);
  });
});

interface FlowFrameBody {
  readonly id: string;
  readonly publishedVersion?: { id: string };
  readonly currentOperation: { id: string; actionName: string; actionStatus: string; complete: boolean };
}

describe('publishing a flow', () => {
  async function flowSocket(sb: Sandbox): Promise<TestSocket> {
    const socket = await subscribedSocket(await login(sb.port), [`v2.flows.${DEMO_FLOW_ID}`]);
    sockets.push(socket);
    return socket;
  }

  function publishFrames(socket: TestSocket): FlowFrameBody[] {
    return socket.on(`v2.flows.${DEMO_FLOW_ID}`).map((f) => f.eventBody as unknown as FlowFrameBody);
  }

  it('through org.flows.publishVersion: STARTED, then SUCCESS with the new publishedVersion.id', async () => {
    sandbox = await start();
    const socket = await flowSocket(sandbox);
    const version = sandbox.org.flows.publishVersion(DEMO_FLOW_ID, NEW_SCHEMA);
    expect(version.id).toBe('2.0');

    const frames = await waitFor(() => (publishFrames(socket).length >= 2 ? publishFrames(socket) : undefined), { what: 'two flow frames' });
    expect(frames.map((f) => [f.currentOperation.actionName, f.currentOperation.actionStatus, f.currentOperation.complete])).toEqual([
      ['PUBLISH', 'STARTED', false],
      ['PUBLISH', 'SUCCESS', true],
    ]);
    expect(frames[0]!.publishedVersion?.id).toBe('1.0');
    expect(frames[1]!.publishedVersion?.id).toBe('2.0');
    expect(frames[1]!.currentOperation.id).toBe(frames[0]!.currentOperation.id);
    expect(frames.every((f) => f.id === DEMO_FLOW_ID)).toBe(true);

    // The API agrees with the frame.
    const { architect } = await login(sandbox.port);
    expect((await architect.getFlow(DEMO_FLOW_ID)).publishedVersion?.id).toBe('2.0');
    expect((await architect.getFlowVersion(DEMO_FLOW_ID, '2.0')).inputSchema).toEqual(NEW_SCHEMA);
  });

  it('through the control route POST /sandbox/flows/{id}/publish, which answers 404 for an unknown flow', async () => {
    sandbox = await start();
    const socket = await flowSocket(sandbox);
    const publish = (flowId: string) =>
      fetch(`${sandbox!.url}/sandbox/flows/${flowId}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputSchema: NEW_SCHEMA }),
      });
    const res = await publish(DEMO_FLOW_ID);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: '2.0', inputSchema: NEW_SCHEMA });
    const frames = await waitFor(() => (publishFrames(socket).length >= 2 ? publishFrames(socket) : undefined), { what: 'two flow frames' });
    expect(frames.map((f) => f.currentOperation.actionStatus)).toEqual(['STARTED', 'SUCCESS']);
    expect(frames[1]!.publishedVersion?.id).toBe('2.0');

    expect((await publish('no-such-flow')).status).toBe(404);
    const { architect } = await login(sandbox.port);
    expect((await architect.getFlowVersion(DEMO_FLOW_ID, '2.0')).inputSchema).toEqual(NEW_SCHEMA);
  });
});
