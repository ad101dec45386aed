/**
 * `GET /api/v2/conversations/{conversationId}` and the participant attribute PATCH (plus its
 * media-specific twins). Values must be strings (a number is a 400), keys merge, and the next
 * snapshot carries them; an unknown or ended conversation is a 404.
 */
import { restConversation } from '../org/rest.js';
import type { SandboxOrg } from '../org/org.js';
import { ApiFailure, type Reply, type RequestContext, type Router } from '../http/router.js';

const MEDIA_PATHS = ['calls', 'chats', 'messages', 'emails', 'callbacks'] as const;

export function addConversationRoutes(router: Router, org: SandboxOrg): void {
  router.add('GET', '/api/v2/conversations/{conversationId}', (ctx) => {
    const conv = org.conversations.get(ctx.params.conversationId ?? '');
    if (!conv) throw notFound();
    return { status: 200, body: restConversation(conv) };
  });
  const patch = (ctx: RequestContext): Reply => patchAttributes(ctx, org);
  router.add('PATCH', '/api/v2/conversations/{conversationId}/participants/{participantId}/attributes', patch);
  for (const media of MEDIA_PATHS) {
    router.add('PATCH', `/api/v2/conversations/${media}/{conversationId}/participants/{participantId}/attributes`, patch);
  }
}

function patchAttributes(ctx: RequestContext, org: SandboxOrg): Reply {
  const body = ctx.body;
  const attributes = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).attributes : undefined;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw new ApiFailure(400, 'bad.request', 'The request body must be {"attributes": {"key": "value"}}.');
  }
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (typeof value !== 'string') {
      throw new ApiFailure(400, 'bad.request', `Attribute values must be strings; '${key}' is not.`);
    }
    clean[key] = value;
  }
  const outcome = org.patchAttributes(ctx.params.conversationId ?? '', ctx.params.participantId ?? '', clean, ctx.auth?.clientId ?? '', ctx.receivedAt);
  if (outcome !== 'ok') throw notFound();
  return { status: 202, body: { attributes: clean } };
}

function notFound(): ApiFailure {
  return new ApiFailure(404, 'not.found', 'The requested conversation or participant was not found.');
}
