/**
 * The sandbox OAuth clients' permissions. Every client holds every permission the sandbox knows
 * until a test (or the control API) revokes one; a call whose route needs a revoked permission
 * answers 403 with a Genesys-shaped body naming it, and topics that need it come back `Rejected`
 * with `missingPermissions`. What each route needs follows the SDK's operation docs ("Requires ANY
 * permissions"); routes the docs list no permission for (login, channels, the attribute PATCH)
 * need none here either.
 */
import type { SandboxClient } from '../options.js';
import { TOPIC_SHAPES } from '../notifications/topics.js';
import { ApiFailure } from './router.js';

/** Permission each API route needs, by `METHOD pattern`. */
export const ROUTE_PERMISSIONS: ReadonlyMap<string, string> = new Map([
  ['GET /api/v2/conversations/{conversationId}', 'conversation:communication:view'],
  ['POST /api/v2/analytics/conversations/activity/query', 'analytics:queueObservation:view'],
  ['GET /api/v2/routing/queues', 'routing:queue:view'],
  ['GET /api/v2/flows', 'architect:flow:view'],
  ['GET /api/v2/flows/{flowId}', 'architect:flow:view'],
  ['GET /api/v2/flows/{flowId}/versions/{versionId}', 'architect:flow:view'],
]);

/**
 * The topic templates the sandbox publishes (as `availabletopics` names them) and the topic-name
 * prefix each covers. Their permissions are the ones the subscribe call checks (TOPIC_SHAPES).
 */
export const TOPIC_TEMPLATES: readonly { readonly id: string; readonly prefix: string }[] = [
  ...['', '.calls', '.callbacks', '.chats', '.emails', '.messages'].map((suffix) => ({ id: `v2.routing.queues.{id}.conversations${suffix}`, prefix: 'v2.routing.queues.' })),
  { id: 'v2.flows.{id}', prefix: 'v2.flows.' },
];

/** The permissions a topic template needs (from the subscribe call's own table). */
export function topicPermissions(template: string): readonly string[] {
  const sample = template.replace('{id}', 'sample');
  return TOPIC_SHAPES.find((s) => s.pattern.test(sample))?.permissions ?? [];
}

/** Every permission the sandbox knows: each client holds all of them unless revoked. */
export const SANDBOX_PERMISSIONS: readonly string[] = [
  ...new Set([...ROUTE_PERMISSIONS.values(), ...TOPIC_TEMPLATES.flatMap((t) => topicPermissions(t.id))]),
].sort();

/** Which permissions are revoked, org-wide or for one client. */
export class PermissionModel {
  private readonly everyone = new Set<string>();
  private readonly perClient = new Map<string, Set<string>>();

  /** Takes `permission` away from `clientId`, or from every client when none is given. */
  revoke(permission: string, clientId?: string): void {
    this.setFor(clientId).add(permission);
  }

  /** Gives `permission` back (to `clientId`, or org-wide). */
  grant(permission: string, clientId?: string): void {
    this.setFor(clientId).delete(permission);
  }

  /** Every client holds every permission again. */
  reset(): void {
    this.everyone.clear();
    this.perClient.clear();
  }

  has(clientId: string, permission: string): boolean {
    return !this.everyone.has(permission) && !(this.perClient.get(clientId)?.has(permission) ?? false);
  }

  /** Permissions `clientId` holds, of those the sandbox knows. */
  held(clientId: string): string[] {
    return SANDBOX_PERMISSIONS.filter((p) => this.has(clientId, p));
  }

  /** Throws the Genesys 403 when `clientId` lacks what `METHOD pattern` needs. */
  check(clientId: string, method: string, pattern: string): void {
    const needed = ROUTE_PERMISSIONS.get(`${method} ${pattern}`);
    if (needed === undefined || this.has(clientId, needed)) return;
    throw new ApiFailure(403, 'missing.any.permissions', `Unable to perform the requested action. You must have at least one of the following permissions assigned: [${needed}]`);
  }

  /**
   * `client` as the subscribe call sees it: its configured topic denials plus the prefixes of
   * every topic whose permission it lacks (the subscribe call then lists them as missing).
   */
  clientView(client: SandboxClient | undefined): SandboxClient | undefined {
    if (client === undefined) return undefined;
    const prefixes = TOPIC_TEMPLATES.filter((t) => topicPermissions(t.id).some((p) => !this.has(client.clientId, p))).map((t) => t.prefix);
    if (prefixes.length === 0) return client;
    return { ...client, deniedTopicPrefixes: [...new Set([...(client.deniedTopicPrefixes ?? []), ...prefixes])] };
  }

  private setFor(clientId: string | undefined): Set<string> {
    if (clientId === undefined) return this.everyone;
    let set = this.perClient.get(clientId);
    if (set === undefined) {
      set = new Set();
      this.perClient.set(clientId, set);
    }
    return set;
  }
}
