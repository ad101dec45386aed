// The benchmark firehose: its rate to one local client, and that it respects backpressure.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { waitFor } from '../../helpers/wait-for.js';
import { pumpFrames } from '../../../src/sandbox/notifications/firehose.js';
import { eventFrame } from '../../../src/sandbox/notifications/frames.js';
import { queueTopic, sdk, startHarness, type Harness } from './harness.js';

/** A conversation snapshot frame of about 1 KB, like the sandbox's own. */
function snapshotFrame(n: number): string {
  const queueId = `6c2f0b8e-1d1e-4c1b-9a55-0b2a3f1c7e1${n % 10}`;
  return eventFrame(queueTopic(queueId), {
    id: `7d1e8c40-5a3b-4f6e-9c21-3e4f5a6b7c${String(n).padStart(2, '0')}`,
    participants: [
      { id: 'p-cust', purpose: 'customer', address: 'tel:+10000000000', attributes: {}, calls: [{ id: 'c1', state: 'connected', direction: 'inbound' }] },
      { id: 'p-acd', purpose: 'acd', queueId, calls: [{ id: 'c2', state: 'disconnected', disconnectType: 'transfer' }] },
      { id: 'p-agent', purpose: 'agent', userId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', queueId, calls: [{ id: 'c3', state: 'connected', initialState: 'alerting' }] },
    ],
    recordingState: 'none',
    divisions: [{ division: { id: 'd1' }, entities: [{ id: 'e1' }] }],
    padding: 'x'.repeat(260),
  });
}

const FRAMES = Array.from({ length: 8 }, (_, i) => snapshotFrame(i));
const COUNT = 30_000;
/** Conservative so a busy 2-core CI box does not flake; the real figure is printed. */
const FLOOR_PER_S = 5_000;

let harness: Harness | undefined;
let client: WebSocket | undefined;

afterEach(async () => {
  client?.terminate();
  client = undefined;
  await harness?.stop();
  harness = undefined;
});

describe('firehose', () => {
  it(`pushes ${COUNT} ~1 KB frames to one local client at more than ${FLOOR_PER_S}/s`, async () => {
    const h = (harness = await startHarness());
    const { api } = await sdk(h.port);
    const channel = await api.postNotificationsChannels();
    const ws = (client = new WebSocket(channel.connectUri!));
    let received = 0;
    let bytes = 0;
    let last = '';
    let allArrived: () => void = () => undefined;
    const arrived = new Promise<number>((resolve) => {
      allArrived = () => { resolve(performance.now()); };
    });
    ws.on('message', (data: Buffer) => {
      received++;
      bytes += data.length;
      if (received === COUNT) {
        last = data.toString('utf8');
        allArrived();
      }
    });
    await new Promise((resolve) => ws.once('open', resolve));

    const started = performance.now();
    const result = await h.hub.firehose(FRAMES, { count: COUNT, channelId: channel.id! });
    await waitFor(() => received === COUNT, { what: 'every frame at the client' });
    const endToEndMs = (await arrived) - started;
    const perSecond = Math.round((COUNT / endToEndMs) * 1000);
    const averageBytes = Math.round(bytes / COUNT);
    console.log(
      `firehose: ${COUNT} frames of ~${averageBytes} B; flushed in ${result.ms.toFixed(0)} ms, all received in ${endToEndMs.toFixed(0)} ms = ${perSecond} frames/s`,
    );

    expect(result.sent).toBe(COUNT);
    expect(averageBytes).toBeGreaterThan(900);
    expect(averageBytes).toBeLessThan(1200);
    expect(received).toBe(COUNT);
    expect(FRAMES).toContain(last);
    expect(perSecond).toBeGreaterThan(FLOOR_PER_S);
    expect(h.hub.counters.firehoseFrames).toBe(COUNT);
  });

  it('rejects when the channel has no socket', async () => {
    const h = (harness = await startHarness());
    const { api } = await sdk(h.port);
    const channel = await api.postNotificationsChannels();
    await expect(h.hub.firehose(FRAMES, { count: 1, channelId: channel.id! })).rejects.toMatchObject({ code: 'sandbox.firehose.no_socket' });
    await expect(h.hub.firehose([], { count: 1 })).rejects.toMatchObject({ code: 'sandbox.firehose.no_frames' });
  });
});

describe('pumpFrames backpressure', () => {
  let wss: WebSocketServer | undefined;
  afterEach(async () => {
    client?.terminate();
    if (wss) await new Promise((resolve) => wss?.close(resolve));
    wss = undefined;
  });

  it('stops near the high-water mark while the client does not read, then finishes', async () => {
    const server = (wss = new WebSocketServer({ host: '127.0.0.1', port: 0 }));
    await new Promise((resolve) => server.once('listening', resolve));
    const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
    const ws = (client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`));
    let received = 0;
    ws.on('message', () => received++);
    await new Promise((resolve) => ws.once('open', resolve));
    ws.pause();
    const serverSide = await accepted;

    const highWater = 64 * 1024;
    const frames = FRAMES.map((f) => Buffer.from(f));
    const count = 100_000; // ~100 MB: far more than the kernel buffers hold
    let settled = false;
    const pump = pumpFrames(serverSide, frames, count, highWater).finally(() => { settled = true; });
    await waitFor(() => serverSide.bufferedAmount >= highWater, { what: 'the socket backed up' });
    const frameBytes = Math.max(...frames.map((f) => f.length));
    for (let i = 0; i < 5; i++) {
      expect(serverSide.bufferedAmount).toBeLessThan(highWater + frameBytes);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(settled).toBe(false);

    ws.resume();
    const result = await pump;
    expect(result.sent).toBe(count);
    await waitFor(() => received === count, { what: 'every frame at the client' });
  });

  it('ends early with what it sent when the socket closes', async () => {
    const server = (wss = new WebSocketServer({ host: '127.0.0.1', port: 0 }));
    await new Promise((resolve) => server.once('listening', resolve));
    const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
    const ws = (client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.pause();
    const serverSide = await accepted;
    const pump = pumpFrames(serverSide, FRAMES.map((f) => Buffer.from(f)), 1_000_000, 64 * 1024);
    await waitFor(() => serverSide.bufferedAmount > 0, { what: 'the socket backed up' });
    serverSide.terminate();
    const result = await pump;
    expect(result.sent).toBeGreaterThan(0);
    expect(result.sent).toBeLessThan(1_000_000);
  });
});
