/**
 * The Genesys client the operator commands use: built from the config exactly as the daemon builds
 * its own (same target, budget and timeouts), so `check` proves what `run` will meet.
 */
import type { EnricherConfig } from '../../config/index.js';
import { GenesysClient } from '../../genesys/client.js';
import type { Logger } from '../../log.js';

/** What `check` and `inspect` call on Genesys (a narrow view, so unit tests can pass a fake). */
export type OperatorApi = Pick<
  GenesysClient,
  | 'login'
  | 'close'
  | 'findQueuesByName'
  | 'findFlowsByName'
  | 'getFlow'
  | 'getFlowVersion'
  | 'createChannel'
  | 'subscribe'
  | 'unsubscribeAll'
  | 'getConversation'
  | 'patchParticipantAttributes'
>;

/** A client for the config's org; not logged in yet. */
export function genesysClientFor(config: EnricherConfig, logger: Logger): GenesysClient {
  const g = config.genesys;
  return new GenesysClient(
    {
      target: g.region !== undefined ? { region: g.region } : { gatewayUrl: g.gatewayUrl },
      clientId: g.clientId,
      clientSecret: g.clientSecret,
      requestsPerMinute: g.requestsPerMinute,
      maxConcurrentRequests: g.maxConcurrentRequests,
      timeoutMs: g.timeoutMs,
    },
    { logger: logger.child({ component: 'genesys' }) },
  );
}
