/**
 * `GET /api/v2/conversations/{conversationId}`, its media-specific twins
 * (`/api/v2/conversations/{calls|callbacks|chats|messages|emails}/{id}`) and the participant
 * attribute PATCH (plus its media-specific twins). GETs answer 200 for ended conversations too
 * (with `endTime` and ended legs) while the org keeps them. Values must be strings (a number is a
 * 400), keys merge, and the next snapshot carries them. A PATCH on an ended conversation answers
 * what the org is told (`endedPatchStatus`: 202, 400 or 404; the real answer is unsure).
 */
import { MEDIA_KEY, SANDBOX_MEDIA } from '../org/conversation.js';
import type { SandboxOrg } from '../org/org.js';
import { restConversation, restMediaConversation } from '../org/rest.js';
import { ApiFailure, type Reply, type RequestContext, type Router } from '../http/router.js';

export function addConversationRoutes(router: Router, org: SandboxOrg): void {
  router.add('GET', '/api/v2/conversations/{conversationId}', (ctx) => {
    const conv = org.conversations.get(ctx.params.conversationId ?? '');
    if (!conv) throw notFound();
    return { status: 200, body: restConversation(conv) };
  });
  for (const media of SANDBOX_MEDIA) {
    const path = MEDIA_KEY[media];
    router.add('GET', `/api/v2/conversations/${path}/{conversationId}`, (ctx) => {
      const conv = org.conversations.get(ctx.params.conversationId ?? '');
      // The media-specific resource knows only conversations of its medium.
      if (conv?.media !== media) throw notFound();
      return { status: 200, body: restMediaConversation(conv) };
    });
  }
  const patch = (ctx: RequestContext): Reply => patchAttributes(ctx, org);
  router.add('PATCH', '/api/v2/conversations/{conversationId}/participants/{participantId}/attributes', patch);
  for (const media of SANDBOX_MEDIA) {
    router.add('PATCH', `/api/v2/conversations/${MEDIA_KEY[media]}/{conversationId}/participants/{participantId}/attributes`, patch);
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
  const { conversationId = '', participantId = '' } = ctx.params;
  const outcome = org.patchAttributes(conversationId, participantId, clean, ctx.auth?.clientId ?? '', ctx.receivedAt, ctx.correlationId);
  if (outcome === 'ended' && org.endedPatchStatus === 400) {
    throw new ApiFailure(400, 'bad.request', 'The conversation has ended; its participant data cannot be changed.');
  }
  if (outcome !== 'ok') throw notFound();
  return { status: 202, body: { attributes: clean } };
}

function notFound(): ApiFailure {
  return new ApiFailure(404, 'not.found', 'The requested conversation or participant was not found.');
}
