/**
 * The sandbox's control API (no auth, loopback only): drive traffic, inject faults and read what
 * was written. Tests in the same process call the `Sandbox` object directly; this HTTP face is for
 * tools and child processes.
 */
import type { Models } from 'purecloud-platform-client-v2';
import type { Sandbox } from '../index.js';
import { FaultRuleError, type FaultRule, type SlowSpell } from '../http/faults.js';
import { ApiFailure, type RequestContext, type Router } from '../http/router.js';

export function addControlRoutes(router: Router, sandbox: Sandbox): void {
  const ok = (body: unknown = { ok: true }) => ({ status: 200, body });
  router.add('GET', '/sandbox/writes', () => ok(sandbox.org.writes));
  router.add('GET', '/sandbox/calls', () => ok(sandbox.calls));
  router.add('GET', '/sandbox/truth', () => ok(sandbox.org.truth()));
  router.add('GET', '/sandbox/stats', () =>
    ok({
      conversations: sandbox.org.conversations.size,
      connected: sandbox.org.connected.size,
      writes: sandbox.org.writes.length,
      calls: sandbox.calls.length,
      rateLimited: sandbox.limiter.limited,
      channels: sandbox.hub.channels(),
      faults: sandbox.faults.counts(),
    }),
  );
  router.add('POST', '/sandbox/faults', (ctx) => {
    ruleCheck(() => {
      sandbox.faults.add(objectBody(ctx) as unknown as FaultRule);
    });
    return ok();
  });
  // Faults fired so far, by kind (`before/503`, `after/late`, `after/reset`, `spell/slow`, ...).
  router.add('GET', '/sandbox/faults', () => ok(sandbox.faults.counts()));
  router.add('POST', '/sandbox/slow-spell', (ctx) => {
    ruleCheck(() => {
      sandbox.faults.addSlowSpell(objectBody(ctx) as unknown as SlowSpell);
    });
    return ok();
  });
  router.add('POST', '/sandbox/ended-patch', (ctx) => {
    const status = objectBody(ctx).status;
    if (status !== 202 && status !== 400 && status !== 404) throw new ApiFailure(400, 'bad.request', 'status must be 202, 400 or 404');
    sandbox.org.endedPatchStatus = status;
    return ok();
  });
  router.add('DELETE', '/sandbox/faults', () => {
    sandbox.faults.clear();
    return ok();
  });
  router.add('POST', '/sandbox/latency', (ctx) => {
    const body = objectBody(ctx);
    sandbox.faults.setLatency(optionalString(body.endpoint) ?? '*', Number(body.ms ?? 0));
    return ok();
  });
  router.add('POST', '/sandbox/flows/{flowId}/publish', (ctx) => {
    const schema = objectBody(ctx).inputSchema as Models.JsonSchemaDocument | undefined;
    if (!sandbox.org.flows.get(ctx.params.flowId ?? '')) throw new ApiFailure(404, 'not.found', 'no such flow');
    return ok(sandbox.org.flows.publishVersion(ctx.params.flowId ?? '', schema));
  });
  router.add('POST', '/sandbox/tokens/revoke', () => {
    sandbox.hub.tokenRevoked(sandbox.auth.revoke());
    return ok();
  });
  router.add('POST', '/sandbox/tokens/expire', () => {
    sandbox.auth.expireAll();
    return ok();
  });
  router.add('POST', '/sandbox/sockets/drop', (ctx) => {
    sandbox.hub.dropSockets(optionalString(objectBody(ctx).channelId));
    return ok();
  });
  router.add('POST', '/sandbox/heartbeats', (ctx) => {
    const body = objectBody(ctx);
    sandbox.hub.stopHeartbeats(body.on === false, optionalString(body.channelId));
    return ok();
  });
  router.add('POST', '/sandbox/socket-closing', (ctx) => {
    const body = objectBody(ctx);
    sandbox.hub.socketClosing(optionalString(body.channelId), typeof body.delayMs === 'number' ? body.delayMs : undefined);
    return ok();
  });
  router.add('POST', '/sandbox/channels/{channelId}/gone', (ctx) => {
    const result = optionalString(objectBody(ctx).result);
    if (!sandbox.hub.channelGone(ctx.params.channelId ?? '', result)) throw new ApiFailure(404, 'not.found', 'no such channel');
    return ok();
  });
  router.add('POST', '/sandbox/channels/{channelId}/expire', (ctx) => {
    sandbox.hub.expireChannel(ctx.params.channelId ?? '');
    return ok();
  });
  router.add('POST', '/sandbox/traffic/start', (ctx) => {
    sandbox.traffic.start(objectBody(ctx) as unknown as Parameters<Sandbox['traffic']['start']>[0]);
    return ok();
  });
  router.add('POST', '/sandbox/traffic/stop', () => {
    sandbox.traffic.stop();
    return ok();
  });
}

/** Runs a fault change; a rule that cannot work is the caller's 400, not a sandbox 500. */
function ruleCheck(change: () => void): void {
  try {
    change();
  } catch (err) {
    if (err instanceof FaultRuleError) throw new ApiFailure(400, 'bad.request', err.message);
    throw err;
  }
}

function objectBody(ctx: RequestContext): Record<string, unknown> {
  const body = ctx.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiFailure(400, 'bad.request', 'expected a JSON object');
  return body as Record<string, unknown>;
}

function optionalString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
