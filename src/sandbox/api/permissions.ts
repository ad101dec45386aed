/**
 * `GET /api/v2/notifications/availabletopics` (with `expand=requiresPermissions`, the permissions
 * each topic needs), and the control routes that take permissions away from the sandbox's OAuth
 * clients and give them back.
 */
import type { Models } from 'purecloud-platform-client-v2';
import { SANDBOX_PERMISSIONS, TOPIC_TEMPLATES, topicPermissions, type PermissionModel } from '../http/permissions.js';
import { ApiFailure, type RequestContext, type Router } from '../http/router.js';

/** Adds the available-topics endpoint to the API router. */
export function addAvailableTopicsRoute(api: Router): void {
  api.add('GET', '/api/v2/notifications/availabletopics', (ctx) => {
    const expand = ctx.query.getAll('expand').flatMap((e) => e.split(','));
    const withPermissions = expand.includes('requiresPermissions');
    const entities: Models.AvailableTopic[] = TOPIC_TEMPLATES.map((t) => ({
      id: t.id,
      ...(withPermissions && { requiresPermissions: [...topicPermissions(t.id)] }),
      transports: ['Websocket', 'EventBridge'],
    }));
    const listing: Models.AvailableTopicEntityListing = { entities };
    return { status: 200, body: listing };
  });
}

/**
 * Control routes: `GET /sandbox/permissions[?clientId=]` lists the permissions held;
 * `POST /sandbox/permissions` with `{"revoke": [...], "grant": [...], "clientId"?: "..."}` changes
 * them; `DELETE /sandbox/permissions` restores every permission to every client.
 */
export function addPermissionControlRoutes(control: Router, permissions: PermissionModel, defaultClientId: string): void {
  control.add('GET', '/sandbox/permissions', (ctx) => ({
    status: 200,
    body: { known: SANDBOX_PERMISSIONS, held: permissions.held(ctx.query.get('clientId') ?? defaultClientId) },
  }));
  control.add('POST', '/sandbox/permissions', (ctx) => {
    const body = objectBody(ctx);
    const clientId = typeof body.clientId === 'string' ? body.clientId : undefined;
    for (const p of stringList(body.revoke, 'revoke')) permissions.revoke(p, clientId);
    for (const p of stringList(body.grant, 'grant')) permissions.grant(p, clientId);
    return { status: 200, body: { ok: true } };
  });
  control.add('DELETE', '/sandbox/permissions', () => {
    permissions.reset();
    return { status: 200, body: { ok: true } };
  });
}

function objectBody(ctx: RequestContext): Record<string, unknown> {
  const body = ctx.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiFailure(400, 'bad.request', 'expected a JSON object');
  return body as Record<string, unknown>;
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new ApiFailure(400, 'bad.request', `${name} must be a list of permission names`);
  return value;
}
