// The daemon's Genesys client's calls against the sandbox: channels and topic rejections, exact
// queue and flow lookups, the activity query, conversations and the attribute write.
import { afterEach, describe, expect, it } from 'vitest';
import { GenesysApiError } from '../../../src/genesys/errors.js';
import { activityLimit } from '../../../src/sandbox/api/analytics.js';
import { DEMO_FLOW_ID, DEMO_FLOW_NAME, type Sandbox } from '../../../src/sandbox/index.js';
import { DEMO_INPUT_SCHEMA } from '../../../src/sandbox/org/flows.js';
import { SANDBOX_CLIENT, SANDBOX_DEFAULTS, type SandboxQueue } from '../../../src/sandbox/options.js';
import { callsTo, startRig, type Rig } from './harness.js';

const DEFAULT_ACTIVITY_LIMIT = activityLimit.value;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let rig: Rig | undefined;

afterEach(async () => {
  activityLimit.value = DEFAULT_ACTIVITY_LIMIT;
  rig?.sandbox.traffic.stop();
  await rig?.stop();
  rig = undefined;
});

const queueTopic = (queueId: string): string => `v2.routing.queues.${queueId}.conversations`;

describe('notification channels', () => {
  it('creates a channel and reports the rejected topics with their missing permissions', async () => {
    const limited = { ...SANDBOX_CLIENT, deniedTopicPrefixes: ['v2.flows.'] };
    rig = await startRig({ clients: [limited] });
    const { client, sandbox } = rig;
    const channel = await client.createChannel();
    expect(channel.id).toMatch(/^streaming-0-/);
    expect(channel.connectUri).toBe(`ws://127.0.0.1:${sandbox.port}/channels/${channel.id}`);
    expect(Date.parse(channel.expires!)).toBeGreaterThan(Date.now());

    const queueId = sandbox.options.queues[0]!.id;
    const { rejected } = await client.subscribe(channel.id, [queueTopic(queueId), `v2.flows.${DEMO_FLOW_ID}`, 'v2.not.a.topic']);
    expect(rejected).toEqual([
      { topic: `v2.flows.${DEMO_FLOW_ID}`, reason: expect.any(String), missingPermissions: ['architect:flow:view'] },
      { topic: 'v2.not.a.topic', reason: expect.any(String), missingPermissions: [] },
    ]);
    expect(sandbox.hub.channels()).toMatchObject([{ id: channel.id, topics: 1 }]);
    expect(await client.channelExists(channel.id)).toBe(true);
    expect(sandbox.hub.expireChannel(channel.id)).toBe(true);
    expect(await client.channelExists(channel.id)).toBe(false);
  });

  it('reports nothing rejected when every topic is permitted', async () => {
    rig = await startRig();
    const channel = await rig.client.createChannel();
    const topics = rig.sandbox.options.queues.map((q) => queueTopic(q.id));
    expect(await rig.client.subscribe(channel.id, [...topics, `v2.flows.${DEMO_FLOW_ID}`])).toEqual({ rejected: [] });
    expect(rig.sandbox.hub.channels()[0]?.topics).toBe(4);
  });
});

/** `count` spellings of `name` that differ from it only in case (the sandbox matches case-insensitively). */
function caseVariants(name: string, count: number): string[] {
  const out: string[] = [];
  for (let mask = 1; out.length < count; mask++) {
    let bit = 0;
    // ASCII names only: one UTF-16 unit per character.
    const variant = Array.from({ length: name.length }, (_, i) => name.charAt(i))
      .map((ch) => (/[a-z]/i.test(ch) && (mask >> bit++) & 1 ? swapCase(ch) : ch))
      .join('');
    if (variant !== name) out.push(variant);
  }
  return out;
}

function swapCase(ch: string): string {
  return ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase();
}

describe('lookups by name', () => {
  it('findQueuesByName keeps exact names only, paging past the first 100 loose matches', async () => {
    const loose = caseVariants('Support DE', 150).map((name, i): SandboxQueue => ({ id: `loose-${i}`, name }));
    const exact = { id: 'the-exact-one', name: 'Support DE' };
    rig = await startRig({ queues: [...loose, { id: 'premium', name: 'Support DE Premium' }, exact] });
    expect(await rig.client.findQueuesByName('Support DE')).toEqual([exact]);
    // 151 case-insensitive matches: two pages of 100.
    expect(callsTo(rig.sandbox, '/api/v2/routing/queues')).toHaveLength(2);
    expect(await rig.client.findQueuesByName('Support')).toEqual([]);
  });

  it('findQueuesByName finds the default queues', async () => {
    rig = await startRig();
    for (const q of SANDBOX_DEFAULTS.queues) expect(await rig.client.findQueuesByName(q.name)).toEqual([{ id: q.id, name: q.name }]);
  });

  it('findFlowsByName keeps exact names only and brings the input schema', async () => {
    rig = await startRig();
    rig.sandbox.org.flows.create(`${DEMO_FLOW_NAME} v2`, 'workflow', DEMO_INPUT_SCHEMA);
    rig.sandbox.org.flows.create(DEMO_FLOW_NAME.toLowerCase(), 'workflow', DEMO_INPUT_SCHEMA);
    const flows = await rig.client.findFlowsByName(DEMO_FLOW_NAME);
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({ id: DEMO_FLOW_ID, name: DEMO_FLOW_NAME, publishedVersion: { id: '1.0' }, inputSchema: DEMO_INPUT_SCHEMA });
    expect(await rig.client.findFlowsByName('Customer')).toEqual([]);
  });

  it('findFlowsByName pages past the first 100 loose matches', async () => {
    rig = await startRig();
    for (let i = 0; i < 120; i++) rig.sandbox.org.flows.create(`${DEMO_FLOW_NAME} copy ${i}`, 'workflow');
    // Created last, so listed after the 120 near-misses and the demo flow.
    const late = rig.sandbox.org.flows.create('customer enrichment', 'workflow', DEMO_INPUT_SCHEMA);
    const flows = await rig.client.findFlowsByName('customer enrichment');
    expect(flows.map((f) => f.id)).toEqual([late.id]);
    expect(callsTo(rig.sandbox, '/api/v2/flows')).toHaveLength(2);
  });

  it('getFlow and getFlowVersion follow a publish', async () => {
    rig = await startRig();
    const schema = { type: 'object', properties: { 'Flow.x': { type: 'string' } } };
    rig.sandbox.org.flows.publishVersion(DEMO_FLOW_ID, schema);
    const flow = await rig.client.getFlow(DEMO_FLOW_ID);
    expect(flow.publishedVersion?.id).toBe('2.0');
    expect((await rig.client.getFlowVersion(DEMO_FLOW_ID, '2.0')).inputSchema).toEqual(schema);
    await expect(rig.client.getFlow('nope')).rejects.toMatchObject({ status: 404 });
  });
});

/** Traffic paused; one connected call in `queueId`. */
async function connectedCall(sandbox: Sandbox, queueId: string) {
  const conv = await sandbox.traffic.startOne({ media: 'call', script: 'connect', queueId });
  while (!sandbox.org.connected.has(conv.id)) expect(sandbox.traffic.step(conv.id)).toBe(true);
  return conv;
}

describe('conversations', () => {
  it('activeConversations lists the live conversations of the queues asked for', async () => {
    rig = await startRig();
    const { sandbox, client } = rig;
    sandbox.traffic.pause();
    const [q1, q2, q3] = sandbox.options.queues.map((q) => q.id) as [string, string, string];
    const a = await connectedCall(sandbox, q1);
    const b = await sandbox.traffic.startOne({ media: 'chat', script: 'connect', queueId: q2 });
    while (b.queueIds.length === 0) expect(sandbox.traffic.step(b.id)).toBe(true);
    await connectedCall(sandbox, q3);

    const answer = await client.activeConversations([q1, q2]);
    expect(answer.truncated).toBe(false);
    expect(answer.entities.sort((x, y) => x.queueId.localeCompare(y.queueId))).toEqual(
      [
        { conversationId: a.id, queueId: q1, mediaType: 'call', metric: 'oInteracting', activityDate: expect.any(String) as string },
        { conversationId: b.id, queueId: q2, mediaType: 'chat', metric: 'oWaiting', activityDate: expect.any(String) as string },
      ].sort((x, y) => x.queueId.localeCompare(y.queueId)),
    );
  });

  it('activeConversations says truncated when the answer was cut', async () => {
    rig = await startRig();
    const { sandbox, client } = rig;
    sandbox.traffic.pause();
    const queueId = sandbox.options.queues[0]!.id;
    for (let i = 0; i < 3; i++) await connectedCall(sandbox, queueId);
    activityLimit.value = 2;
    const answer = await client.activeConversations([queueId]);
    expect(answer.truncated).toBe(true);
    expect(answer.entities).toHaveLength(2);
  });

  it('getConversation reads participants; patchParticipantAttributes writes and answers the correlation id', async () => {
    rig = await startRig();
    const { sandbox, client } = rig;
    sandbox.traffic.pause();
    const conv = await connectedCall(sandbox, sandbox.options.queues[0]!.id);
    const read = await client.getConversation(conv.id);
    expect(read.participants.map((p) => p.purpose)).toEqual(['customer', 'ivr', 'acd', 'agent']);
    const customer = read.participants.find((p) => p.purpose === 'customer')!;

    const first = await client.patchParticipantAttributes(conv.id, customer.id!, { 'crm.tier': 'gold' });
    const second = await client.patchParticipantAttributes(conv.id, customer.id!, { 'crm.accountId': 'A-1' });
    expect(first.correlationId).toMatch(UUID);
    expect(second.correlationId).toMatch(UUID);
    expect(second.correlationId).not.toBe(first.correlationId);
    expect(sandbox.org.writes.map((w) => w.attributes)).toEqual([{ 'crm.tier': 'gold' }, { 'crm.accountId': 'A-1' }]);
    expect((await client.getConversation(conv.id)).participants.find((p) => p.id === customer.id)?.attributes).toEqual({
      'ivr.language': expect.any(String),
      'ivr.intent': expect.any(String),
      'ivr.DistributionGroup': sandbox.options.queues[0]!.id,
      'crm.tier': 'gold',
      'crm.accountId': 'A-1',
    });
  });

  it('patchParticipantAttributes on an ended conversation is a 404 GenesysApiError', async () => {
    rig = await startRig();
    const { sandbox, client } = rig;
    sandbox.traffic.pause();
    const conv = await connectedCall(sandbox, sandbox.options.queues[0]!.id);
    const customerId = conv.participants.find((p) => p.purpose === 'customer')!.id;
    while (sandbox.traffic.step(conv.id)) { /* play to the end */ }
    const err: unknown = await client.patchParticipantAttributes(conv.id, customerId, { a: 'b' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenesysApiError);
    expect(err).toMatchObject({ status: 404, correlationId: expect.stringMatching(UUID) });
  });
});
