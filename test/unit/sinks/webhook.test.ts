import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/log.js';
import { AnalyticsWebhook, type WebhookEvent } from '../../../src/sinks/webhook.js';
import { waitFor } from '../../helpers/wait-for.js';

function recordingLogger(lines: string[]): Logger {
  const log = (m: string): void => {
    lines.push(m);
  };
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

const event = (n: number): WebhookEvent => ({ ts: new Date(0).toISOString(), event: 'enriched', conversationId: `c${String(n)}`, traceId: `t${String(n)}` });

describe('AnalyticsWebhook.stop', () => {
  let server: Server | undefined;
  const held: ServerResponse[] = [];

  afterEach(async () => {
    for (const res of held.splice(0)) res.destroy();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  async function silentServer(): Promise<{ url: string; received: () => number }> {
    let received = 0;
    server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      received++;
      held.push(res); // never answers
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${String(port)}/events`, received: () => received };
  }

  it('aborts deliveries to a webhook that never answers and logs nothing once stopped', async () => {
    const hook = await silentServer();
    const lines: string[] = [];
    const webhook = new AnalyticsWebhook({ url: hook.url, timeoutMs: 60_000, maxQueued: 100, concurrency: 2 }, { logger: recordingLogger(lines) });
    for (let i = 0; i < 5; i++) webhook.post(event(i));
    await waitFor(() => hook.received() === 2, { what: 'two deliveries in flight' });
    const started = Date.now();
    const result = await webhook.stop(50);
    // Far below the 60 s request timeout: stop does not wait for the webhook to answer.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result).toEqual({ sent: 0, dropped: 5 });
    webhook.post(event(99)); // after stop: dropped at once, not sent
    expect(lines).toEqual([]);
    expect(webhook.dropped).toBe(6);
    expect(hook.received()).toBe(2);
  });
});
