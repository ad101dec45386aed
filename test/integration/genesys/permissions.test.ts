// Permissions against the sandbox's permission model: a call needing a revoked permission is a
// 403 naming it, the client warns once (not per call) and remembers the refusal until the call
// succeeds again, topics of a missing permission come back Rejected, and availabletopics lists
// what each topic the daemon uses requires.
import { afterEach, describe, expect, it } from 'vitest';
import { GenesysApiError } from '../../../src/genesys/errors.js';
import { DEMO_FLOW_ID } from '../../../src/sandbox/index.js';
import { recordingLogger, rejectionOf, startRig, type Rig } from './harness.js';

const GET = 'GET /api/v2/conversations/{conversationId}';
const VIEW = 'conversation:communication:view';

let rig: Rig | undefined;

afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

async function connectedCallId(r: Rig): Promise<string> {
  r.sandbox.traffic.pause();
  const conv = await r.sandbox.traffic.startOne({ media: 'call', script: 'connect', queueId: r.sandbox.options.queues[0]!.id });
  while (!r.sandbox.org.connected.has(conv.id)) r.sandbox.traffic.step(conv.id);
  return conv.id;
}

describe('a call whose permission is revoked', () => {
  it('is a 403 naming the permission, warned once, counted, and forgotten once the call succeeds', async () => {
    const logger = recordingLogger();
    const denied: [string, string][] = [];
    rig = await startRig({}, {}, { logger, observer: { onPermissionDenied: (call, permission) => denied.push([call, permission]) } });
    const { client, sandbox } = rig;
    const id = await connectedCallId(rig);
    sandbox.permissions.revoke(VIEW);

    const err = await rejectionOf(() => client.getConversation(id));
    expect(err).toBeInstanceOf(GenesysApiError);
    expect(err).toMatchObject({ status: 403, genesysCode: 'missing.any.permissions' });
    expect((err as Error).message).toContain(VIEW);
    await rejectionOf(() => client.getConversation(id));
    // A 403 is not retried: two calls, two requests.
    expect(sandbox.calls.filter((c) => c.endpoint === '/api/v2/conversations/{conversationId}').map((c) => c.status)).toEqual([403, 403]);

    expect(denied).toEqual([[GET, VIEW], [GET, VIEW]]);
    const warnings = logger.lines.filter((l) => l.level === 'warn' && l.fields.call === GET);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields).toMatchObject({ call: GET, permission: VIEW, refused: 1 });
    expect(client.deniedCalls()).toEqual([expect.objectContaining({ endpoint: GET, permission: VIEW, count: 2 })]);

    sandbox.permissions.grant(VIEW);
    expect((await client.getConversation(id)).id).toBe(id);
    expect(client.deniedCalls()).toEqual([]);
  });

  it('leaves the calls needing other permissions, and the attribute PATCH (documented as needing none), working', async () => {
    rig = await startRig();
    const { client, sandbox } = rig;
    const id = await connectedCallId(rig);
    sandbox.permissions.revoke(VIEW);
    sandbox.permissions.revoke('analytics:queueObservation:view');
    expect((await client.getFlow(DEMO_FLOW_ID)).id).toBe(DEMO_FLOW_ID);
    await expect(client.activeConversations([sandbox.options.queues[0]!.id])).rejects.toMatchObject({ status: 403 });
    const customer = sandbox.org.conversations.get(id)!.participants.find((p) => p.purpose === 'customer')!;
    await client.patchParticipantAttributes(id, customer.id, { 'enricher.tier': 'gold' });
    expect(sandbox.org.writes.at(-1)).toMatchObject({ conversationId: id });
  });

  it('makes the topics that need it come back Rejected with the permission missing', async () => {
    rig = await startRig();
    const { client, sandbox } = rig;
    const queueId = sandbox.options.queues[0]!.id;
    sandbox.permissions.revoke('routing:queue:view');
    const channel = await client.createChannel();
    const { rejected } = await client.subscribe(channel.id, [`v2.routing.queues.${queueId}.conversations`, `v2.flows.${DEMO_FLOW_ID}`]);
    expect(rejected).toEqual([expect.objectContaining({ topic: `v2.routing.queues.${queueId}.conversations`, missingPermissions: ['routing:queue:view'] })]);
  });
});

describe('availabletopics', () => {
  it('lists the queue conversation and flow topics with the permissions they require', async () => {
    rig = await startRig();
    const topics = await rig.client.availableTopics();
    const byId = new Map(topics.map((t) => [t.id, t.requiresPermissions]));
    expect(byId.get('v2.routing.queues.{id}.conversations')).toEqual(['routing:queue:view']);
    expect(byId.get('v2.routing.queues.{id}.conversations.callbacks')).toEqual(['routing:queue:view']);
    expect(byId.get('v2.flows.{id}')).toEqual(['architect:flow:view']);
  });
});

describe('the sandbox control API for permissions', () => {
  it('revokes and grants per client or org-wide, lists what is held, and restores everything', async () => {
    rig = await startRig();
    const { sandbox, client } = rig;
    const control = async (method: string, body?: unknown): Promise<{ status: number; json: { held?: string[]; known?: string[] } }> => {
      const res = await fetch(`${sandbox.url}/sandbox/permissions`, { method, ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
      return { status: res.status, json: (await res.json()) as { held?: string[]; known?: string[] } };
    };
    const all = (await control('GET')).json;
    expect(all.held).toEqual(all.known);
    expect(all.known).toEqual(expect.arrayContaining([VIEW, 'routing:queue:view', 'architect:flow:view', 'analytics:queueObservation:view']));

    expect((await control('POST', { revoke: ['architect:flow:view'], clientId: 'sandbox-client' })).status).toBe(200);
    expect((await control('GET')).json.held).not.toContain('architect:flow:view');
    await expect(client.getFlow(DEMO_FLOW_ID)).rejects.toMatchObject({ status: 403 });
    expect((await control('POST', { grant: ['architect:flow:view'], clientId: 'sandbox-client' })).status).toBe(200);
    expect((await client.getFlow(DEMO_FLOW_ID)).id).toBe(DEMO_FLOW_ID);

    expect((await control('POST', { revoke: 'not-a-list' })).status).toBe(400);
    await control('POST', { revoke: [VIEW] });
    expect((await control('GET')).json.held).not.toContain(VIEW);
    await control('DELETE');
    expect((await control('GET')).json.held).toEqual(all.known);
  });
});
