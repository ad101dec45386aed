import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import type { SandboxConversation, SandboxMedia } from '../../../src/sandbox/org/conversation.js';
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
    sandbox.traffic.resume();
  });

  /** An SDK client logged in to the sandbox. */
  async function conversationsApi(): Promise<InstanceType<typeof platformClient.ConversationsApi>> {
    const client = new platformClient.ApiClientClass();
    client.config.setConfigPath('');
    client.setGateway({ host: '127.0.0.1', protocol: 'http', port: sandbox.port });
    await client.loginClientCredentialsGrant(SANDBOX_CLIENT.clientId, SANDBOX_CLIENT.clientSecret);
    return new platformClient.ConversationsApi(client);
  }

  /** Plays a conversation to its end at high speed. */
  function played(media: SandboxMedia, seed: number) {
    return sandbox.traffic.startOne({ media, script: 'connect', queueId: sandbox.options.queues[0]!.id, seed, speed: 100_000, until: 'ended' });
  }

  it('reads a call with ani, dnis and the customer queue, generic and media-specific', async () => {
    const api = await conversationsApi();
    const conv = await played('call', 5);
    const generic = (await api.getConversation(conv.id)).participants.find((p) => p.purpose === 'customer')!;
    expect(generic.ani).toBe(generic.address);
    expect(generic.dnis).toMatch(/^tel:\+/);
    expect(generic.queueId).toBe(sandbox.options.queues[0]!.id);
    const specific = (await api.getConversationsCall(conv.id)).participants!.find((p) => p.purpose === 'customer')!;
    expect(specific).toMatchObject({ ani: generic.ani, dnis: generic.dnis, queue: { id: generic.queueId }, state: 'disconnected' });
  });

  it('reads a dialled callback: no customer address, numbers in callbacks[], a calls[] entry beside it', async () => {
    const api = await conversationsApi();
    let conv: SandboxConversation | undefined;
    for (let seed = 1; seed < 40 && conv === undefined; seed++) {
      const c = await played('callback', seed);
      if (c.participants.some((p) => p.dialLeg !== undefined)) conv = c;
    }
    expect(conv).toBeDefined();
    const read = await api.getConversation(conv!.id);
    const customer = read.participants.find((p) => p.purpose === 'customer')!;
    expect(customer.address).toBeUndefined();
    expect(customer.callbacks?.[0]?.callbackNumbers).toEqual(conv!.participants[0]!.callback!.numbers);
    expect(customer.calls).toHaveLength(1);
    expect(read.participants.find((p) => p.purpose === 'agent')?.calls).toHaveLength(1);
    const specific = await api.getConversationsCallback(conv!.id);
    expect(specific.participants!.find((p) => p.purpose === 'customer')?.callbackNumbers).toEqual(customer.callbacks?.[0]?.callbackNumbers);
  });

  it('reads a chat with its form attributes and a message with its type', async () => {
    const api = await conversationsApi();
    const chat = await played('chat', 9);
    const chatCustomer = (await api.getConversation(chat.id)).participants.find((p) => p.purpose === 'customer')!;
    expect(Object.keys(chatCustomer.attributes ?? {}).some((k) => k.startsWith('context._genesys_'))).toBe(true);
    expect(chatCustomer.chats).toHaveLength(1);
    const message = await played('message', 9);
    const read = await api.getConversationsMessage(message.id);
    expect(read.participants!.find((p) => p.purpose === 'customer')?.type).toBe(message.messageType);
    const generic = (await api.getConversation(message.id)).participants.find((p) => p.purpose === 'customer')!;
    expect(generic.messages?.[0]?.type).toBe(message.messageType);
  });
});
