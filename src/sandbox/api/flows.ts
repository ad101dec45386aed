/** Flow lookup: by id, by name (exact match client side, as Genesys' filter is loose), versions. */
import type { SandboxOrg } from '../org/org.js';
import { ApiFailure, type Router } from '../http/router.js';
import { page } from './paging.js';

export function addFlowRoutes(router: Router, org: SandboxOrg): void {
  router.add('GET', '/api/v2/flows', (ctx) => {
    const name = ctx.query.get('name');
    const includeSchemas = ctx.query.get('includeSchemas') === 'true';
    // Genesys matches `name` loosely (case-insensitive substring); clients must compare exactly.
    const matches = org.flows
      .all()
      .filter((f) => name === null || f.name.toLowerCase().includes(name.toLowerCase()))
      .map((f) => org.flows.toFlow(f, includeSchemas));
    return { status: 200, body: page(matches, ctx.query, '/api/v2/flows') };
  });
  router.add('GET', '/api/v2/flows/{flowId}', (ctx) => {
    const flow = org.flows.get(ctx.params.flowId ?? '');
    if (!flow) throw new ApiFailure(404, 'not.found', 'Flow not found.');
    return { status: 200, body: org.flows.toFlow(flow, true) };
  });
  router.add('GET', '/api/v2/flows/{flowId}/versions/{versionId}', (ctx) => {
    const flow = org.flows.get(ctx.params.flowId ?? '');
    const version = flow?.versions.find((v) => v.id === ctx.params.versionId);
    if (!version) throw new ApiFailure(404, 'not.found', 'Flow version not found.');
    return { status: 200, body: org.flows.toVersion(version) };
  });
}
