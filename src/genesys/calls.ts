/**
 * Every Genesys call the daemon makes, in one table: the endpoint name the caller and the metrics
 * use, the family a 429 pauses, and the permission the SDK's operation docs name for it. `check`,
 * the run-time 403 warning and the README's permission list all read this table.
 */

/** Groups of endpoints that Genesys may rate-limit apart; a 429 pauses the family that got it. */
export const CALL_FAMILIES = ['login', 'writes', 'conversations', 'analytics', 'channels', 'flows', 'queues'] as const;
/** One of {@link CALL_FAMILIES}. */
export type CallFamily = (typeof CALL_FAMILIES)[number];

/** One call the daemon makes. */
export interface GenesysCall {
  /** `METHOD /path/{param}`: the caller's endpoint name (also a metric label). */
  readonly endpoint: string;
  readonly family: CallFamily;
  /** What the daemon uses it for. */
  readonly purpose: string;
  /**
   * The permission the SDK's operation docs list ("Requires ANY permissions"); undefined when the
   * docs list none.
   */
  readonly permission?: string;
}

/** The calls, in the order the daemon first makes them. */
export const GENESYS_CALLS = [
  { endpoint: 'POST /oauth/token', family: 'login', purpose: 'log in (client credentials)' },
  { endpoint: 'GET /api/v2/routing/queues', family: 'queues', purpose: 'resolve queue names to ids', permission: 'routing:queue:view' },
  { endpoint: 'GET /api/v2/flows', family: 'flows', purpose: 'resolve the flow name to an id', permission: 'architect:flow:view' },
  { endpoint: 'GET /api/v2/flows/{flowId}', family: 'flows', purpose: 'find the published flow version', permission: 'architect:flow:view' },
  { endpoint: 'GET /api/v2/flows/{flowId}/versions/{versionId}', family: 'flows', purpose: 'load the input schema', permission: 'architect:flow:view' },
  { endpoint: 'POST /api/v2/notifications/channels', family: 'channels', purpose: 'create a notification channel' },
  { endpoint: 'PUT /api/v2/notifications/channels/{channelId}/subscriptions', family: 'channels', purpose: 'subscribe the queue and flow topics' },
  { endpoint: 'DELETE /api/v2/notifications/channels/{channelId}/subscriptions', family: 'channels', purpose: 'empty a retired channel' },
  { endpoint: 'HEAD /api/v2/notifications/channels/{channelId}', family: 'channels', purpose: 'tell whether a channel still exists' },
  { endpoint: 'GET /api/v2/notifications/availabletopics', family: 'channels', purpose: 'list topic permissions (check only)' },
  {
    endpoint: 'POST /api/v2/analytics/conversations/activity/query',
    family: 'analytics',
    purpose: 'catch-up: list live conversations per queue',
    permission: 'analytics:queueObservation:view',
  },
  { endpoint: 'GET /api/v2/conversations/{conversationId}', family: 'conversations', purpose: 'catch-up and inspect: read one conversation', permission: 'conversation:communication:view' },
  {
    endpoint: 'PATCH /api/v2/conversations/{conversationId}/participants/{participantId}/attributes',
    family: 'writes',
    purpose: 'write the participant attributes',
  },
] as const satisfies readonly GenesysCall[];

/** An endpoint name from {@link GENESYS_CALLS}. */
export type GenesysEndpoint = (typeof GENESYS_CALLS)[number]['endpoint'];

const BY_ENDPOINT: ReadonlyMap<string, GenesysCall> = new Map(GENESYS_CALLS.map((c) => [c.endpoint, c]));

/** The table entry for an endpoint name, if the daemon knows it. */
export function callFor(endpoint: string): GenesysCall | undefined {
  return BY_ENDPOINT.get(endpoint);
}

/** The family a 429 on `endpoint` pauses; an endpoint not in the table counts with conversation reads. */
export function familyOf(endpoint: string): CallFamily {
  return callFor(endpoint)?.family ?? 'conversations';
}

// Genesys permission names look like `domain:entity:action` (e.g. `conversation:communication:view`).
const PERMISSION = /\b[a-z][A-Za-z]*:[A-Za-z*]+:[A-Za-z*]+\b/g;

/**
 * The permission a 403 is about: the names Genesys put in its message when it gave any, else the
 * table's; `unknown` when neither says.
 */
export function missingPermission(endpoint: string, message: string | undefined): string {
  const named = message === undefined ? [] : [...new Set(message.match(PERMISSION) ?? [])];
  if (named.length > 0) return named.join(' or ');
  return callFor(endpoint)?.permission ?? 'unknown';
}
