/**
 * The built-in Genesys Cloud org on loopback: login, the REST API, notification websockets,
 * live traffic, fault injection and a record of everything written. `startSandbox()` is what
 * `genesys-enricher sandbox`, the integration tests and the benchmarks start.
 */
import type { Server } from 'node:http';
import { addAnalyticsRoutes } from './api/analytics.js';
import { addControlRoutes } from './api/control.js';
import { addConversationRoutes } from './api/conversations.js';
import { addFlowRoutes } from './api/flows.js';
import { addAvailableTopicsRoute, addPermissionControlRoutes } from './api/permissions.js';
import { addQueueRoutes } from './api/queues.js';
import { TokenStore } from './http/auth.js';
import { FaultInjector } from './http/faults.js';
import { PermissionModel } from './http/permissions.js';
import { RateLimiter } from './http/rate-limit.js';
import { Router } from './http/router.js';
import { startHttpFront, type CallRecord } from './http/server.js';
import { NotificationHub } from './notifications/hub.js';
import { resolveSandboxOptions, type SandboxOptions } from './options.js';
import { DEMO_INPUT_SCHEMA, ENTRY_FLOWS } from './org/flows.js';
import { SandboxOrg } from './org/org.js';
import { TrafficGenerator } from './traffic/generator.js';

/** Id of the demo flow every sandbox starts with. */
export const DEMO_FLOW_ID = '0f3b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
export const DEMO_FLOW_NAME = 'Customer Enrichment';

/** A running sandbox and its handles for tests. */
export interface Sandbox {
  readonly options: SandboxOptions;
  /** `http://127.0.0.1:PORT`: the gateway URL for the SDK (`setGateway`) and the config. */
  readonly url: string;
  readonly port: number;
  readonly org: SandboxOrg;
  readonly auth: TokenStore;
  readonly limiter: RateLimiter;
  readonly faults: FaultInjector;
  /** The OAuth clients' permissions (all held until revoked). */
  readonly permissions: PermissionModel;
  readonly hub: NotificationHub;
  readonly traffic: TrafficGenerator;
  /** Every REST call (login excluded), in order. */
  readonly calls: CallRecord[];
  stop(): Promise<void>;
}

/** Starts a sandbox on 127.0.0.1 (port 0 unless given). */
export async function startSandbox(partial: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  const options = resolveSandboxOptions(partial);
  const org = new SandboxOrg(options.queues, options);
  org.endedPatchStatus = options.endedPatchStatus;
  org.flows.create(DEMO_FLOW_NAME, 'workflow', DEMO_INPUT_SCHEMA, DEMO_FLOW_ID);
  for (const flow of ENTRY_FLOWS) org.flows.create(flow.name, flow.type);
  const auth = new TokenStore(options.clients, options.tokenLifetimeS);
  const limiter = new RateLimiter(options.requestsPerMinute, options.rateWindowMs);
  const faults = new FaultInjector();
  const permissions = new PermissionModel();
  const calls: CallRecord[] = [];
  const api = new Router();
  const control = new Router();
  let port = 0;
  // The hub sees each client with the topic denials its missing permissions imply.
  const hub = new NotificationHub(options, { auth: { client: (id) => permissions.clientView(auth.client(id)) }, wsBaseUrl: () => `ws://127.0.0.1:${port}` });
  org.setPublisher((topic, body) => {
    hub.publish(topic, body);
  });
  const traffic = new TrafficGenerator(org);
  hub.addRoutes(api);
  addConversationRoutes(api, org);
  addFlowRoutes(api, org);
  addQueueRoutes(api, org);
  addAnalyticsRoutes(api, org);
  addAvailableTopicsRoute(api);

  const front = await startHttpFront(options.port, {
    auth,
    limiter,
    faults,
    permissions,
    api,
    control,
    onCall: (call) => calls.push(call),
    onAnswerFault: (correlationId, fault) => {
      org.markAnswerFault(correlationId, fault);
    },
  });
  port = front.port;
  const server: Server = front.server;
  hub.attach(server);

  const sandbox: Sandbox = {
    options,
    url: `http://127.0.0.1:${port}`,
    port,
    org,
    auth,
    limiter,
    faults,
    permissions,
    hub,
    traffic,
    calls,
    async stop() {
      traffic.stop();
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
  addControlRoutes(control, sandbox);
  addPermissionControlRoutes(control, permissions, options.clients[0]?.clientId ?? '');
  return sandbox;
}
