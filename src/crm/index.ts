/** CRM lookup over HTTP: URL templates, a coalescing stale-tolerant cache and a circuit breaker. */
export { CrmClient, type CrmDeps, type CrmStats } from './client.js';
export { CrmError } from './errors.js';
export { checkCrmOptions, type CrmOptions } from './options.js';
export { checkCrmTemplate, parseCrmTemplate, renderCrmTemplate, renderCrmUrl, type CrmTemplate } from './template.js';
export type { CrmContext, CrmEntry, CrmFailure, CrmOutcome, CrmResult } from './types.js';
export type { BreakerStateName } from './breaker.js';
export type { CrmCallResult } from './fetcher.js';
