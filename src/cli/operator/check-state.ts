/**
 * What the `check` steps share: the loaded config, how to reach Genesys and the CRM, and what the
 * earlier steps found (a later step reports `skip` when what it needs is missing).
 */
import type { EnricherConfig } from '../../config/index.js';
import type { CrmContext, CrmResult } from '../../crm/index.js';
import type { ResolvedQueue } from '../../daemon/resolve.js';
import type { Logger } from '../../log.js';
import type { CompiledSchema } from '../../schema/compile.js';
import type { OperatorApi } from './genesys.js';
import type { CheckResult } from './report.js';

/** A CRM as the CRM check uses it. */
export interface OperatorCrm {
  lookup(ctx: CrmContext): Promise<CrmResult>;
  close(): Promise<void>;
}

/** How the steps reach the outside world (real clients in the command, fakes in unit tests). */
export interface CheckDeps {
  /** A Genesys client for the config, not logged in yet. */
  readonly genesys: (config: EnricherConfig) => OperatorApi;
  readonly crm: (config: EnricherConfig) => OperatorCrm;
  readonly logger: Logger;
}

/** Shared by the steps of one run; each step reads what it needs and records what it found. */
export interface CheckState {
  readonly config: EnricherConfig;
  readonly deps: CheckDeps;
  /** A phone number or e-mail address for the CRM probe (else a made-up number). */
  readonly sample?: string;
  /** Set once logged in; closed by the runner. */
  api?: OperatorApi;
  /** Queues that resolved. */
  queues: ResolvedQueue[];
  /** False when some configured queue did not resolve. */
  allQueuesResolved: boolean;
  /** The flow's id (absent for an inline schema or when it did not resolve). */
  flowId?: string;
  /** True once the flow reference resolved (or is inline). */
  flowResolved: boolean;
  /** The compiled schema, once loaded. */
  schema?: CompiledSchema;
}

/** One step of `check`: returns its report lines, never throws for an expected failure. */
export type Check = (state: CheckState) => Promise<CheckResult[]>;

/** A fresh state for one run. */
export function checkState(config: EnricherConfig, deps: CheckDeps, sample?: string): CheckState {
  return { config, deps, queues: [], allQueuesResolved: false, flowResolved: false, ...(sample !== undefined && { sample }) };
}
