import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { SANDBOX_CLIENT } from '../../../src/sandbox/options.js';

describe('traffic read back through the official SDK', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('GET /api/v2/conversations/{id} shows the participants the traffic generator played', async () => {
    const queueId = sandbox.options.queues[0]!.id;
    sandbox.traffic.pause();
    const conv = await sandbox.traffic.startOne({ media: 'call', script: 'connect', queueId, seed: 77, customerAddress: 'tel:+4915112345678' });
    while (!sandbox.org.connected.has(conv.id)) expect(sandbox.traffic.step(conv.id)).toBe(true);

    const client = new platformClient.ApiClientClass();
    client.config.setConfigPath('');
    client.setGateway({ host: '127.0.0.1', protocol: 'http', port: sandbox.port });
    await client.loginClientCredentialsGrant(SANDBOX_CLIENT.clientId, SANDBOX_CLIENT.clientSecret);
    const read = await new platformClient.ConversationsApi(client).getConversation(conv.id);

    expect(read.id).toBe(conv.id);
    expect(read.participants.map((p) => p.purpose)).toEqual(['customer', 'ivr', 'acd', 'agent']);
    const customer = read.participants.find((p) => p.purpose === 'customer');
    expect(customer?.address).toBe('tel:+4915112345678');
    const agent = read.participants.find((p) => p.purpose === 'agent');
    expect(agent).toMatchObject({ queueId, userId: expect.any(String) });
    expect(agent?.calls?.[0]?.state).toBe('connected');
    expect(read.endTime).toBeUndefined();
    sandbox.traffic.stop();
  });
});
