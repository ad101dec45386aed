/**
 * `POST /api/v2/analytics/conversations/activity/query`: live conversations per queue, with
 * `metric` (`oWaiting`/`oInteracting`) per entity and `truncated` when the answer was cut.
 */
import type { SandboxOrg } from '../org/org.js';
import { ApiFailure, type Router } from '../http/router.js';

/** Entities per answer before `truncated` (tests lower it to exercise the client's handling). */
export const activityLimit = { value: 500 };

export function addAnalyticsRoutes(router: Router, org: SandboxOrg): void {
  router.add('POST', '/api/v2/analytics/conversations/activity/query', (ctx) => {
    const body = ctx.body as { metrics?: unknown; groupBy?: unknown; filter?: unknown } | undefined;
    const metrics = parseMetrics(body?.metrics);
    const queueIds = parseQueueFilter(body?.filter);
    const results: { group: Record<string, string>; data: unknown[]; entities: unknown[]; truncated?: boolean }[] = [];
    for (const queueId of queueIds) {
      const live = org.live(queueId).filter((e) => metrics.has(e.metric));
      const entities = live.slice(0, activityLimit.value).map((e) => ({
        activityDate: new Date().toISOString(),
        conversationId: e.conversationId,
        queueId,
        mediaType: e.media,
        metric: e.metric,
        ...(e.userId !== undefined && { userId: e.userId }),
      }));
      const counts = new Map<string, number>();
      for (const e of live) counts.set(e.metric, (counts.get(e.metric) ?? 0) + 1);
      results.push({
        group: { queueId },
        data: [...counts].map(([metric, count]) => ({ metric, count })),
        entities,
        ...(live.length > entities.length && { truncated: true }),
      });
    }
    return { status: 200, body: { results, entityIdDimension: 'conversationId' } };
  });
}

function parseMetrics(raw: unknown): Set<string> {
  if (!Array.isArray(raw) || raw.length === 0) throw new ApiFailure(400, 'bad.request', 'metrics is required.');
  const names = new Set<string>();
  for (const m of raw) {
    const metric = typeof m === 'object' && m !== null ? (m as Record<string, unknown>).metric : undefined;
    // Genesys wants `metric`; one of its pages writes `name`, which the real API rejects.
    if (typeof metric !== 'string') throw new ApiFailure(400, 'bad.request', 'Each metric needs a "metric" field.');
    names.add(metric);
  }
  return names;
}

function parseQueueFilter(raw: unknown): string[] {
  const predicates = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).predicates : undefined;
  if (!Array.isArray(predicates)) throw new ApiFailure(400, 'bad.request', 'filter.predicates is required.');
  const ids: string[] = [];
  for (const p of predicates) {
    const pred = (typeof p === 'object' && p !== null ? p : {}) as Record<string, unknown>;
    if (pred.dimension === 'queueId' && typeof pred.value === 'string') ids.push(pred.value);
  }
  return ids;
}
