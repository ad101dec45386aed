/** `GET /api/v2/routing/queues?name=` with `*` wildcards at either end, paged. */
import type { Models } from 'purecloud-platform-client-v2';
import type { SandboxOrg } from '../org/org.js';
import type { Router } from '../http/router.js';
import { page } from './paging.js';

export function addQueueRoutes(router: Router, org: SandboxOrg): void {
  router.add('GET', '/api/v2/routing/queues', (ctx) => {
    const name = ctx.query.get('name');
    const matcher = name === null ? () => true : nameMatcher(name);
    const queues = org.queues
      .filter((q) => matcher(q.name))
      .map((q): Models.Queue => ({ id: q.id, name: q.name, memberCount: 12, selfUri: `/api/v2/routing/queues/${q.id}` }));
    return { status: 200, body: page(queues, ctx.query, '/api/v2/routing/queues') };
  });
}

/** Case-insensitive match with `*` as a wildcard at the start and/or end. */
export function nameMatcher(pattern: string): (name: string) => boolean {
  const lead = pattern.startsWith('*');
  const trail = pattern.endsWith('*') && pattern.length > 1;
  const core = pattern.replace(/^\*/, '').replace(/\*$/, '').toLowerCase();
  return (name) => {
    const n = name.toLowerCase();
    if (lead && trail) return n.includes(core);
    if (lead) return n.endsWith(core);
    if (trail) return n.startsWith(core);
    return n === core;
  };
}
