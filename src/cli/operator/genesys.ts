/**
 * The Genesys client the operator commands use: built from the config exactly as the daemon builds
 * its own (same target, budget and timeouts), so `check` proves what `run` will meet.
 */
import type { GenesysClient } from '../../genesys/client.js';

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
  | 'activeConversations'
  | 'availableTopics'
>;

export { genesysClientFor } from '../../genesys/from-config.js';
