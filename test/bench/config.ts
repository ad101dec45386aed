/**
 * The daemon config every benchmark runs with: the sandbox's three queues and demo flow, the
 * sandbox config's attribute map, defaults for the rest. One YAML text serves both the CLI (as a
 * file) and the in-process daemon (through the normal parser), so both see the same settings.
 */
import { parseConfig, parseConfigText, type EnricherConfig } from '../../src/config/index.js';
import { SANDBOX_CLIENT } from '../../src/sandbox/options.js';

/** What changes between the benchmarks. */
export interface BenchConfigOptions {
  readonly gatewayUrl: string;
  readonly crmUrl: string;
  readonly requestsPerMinute: number;
  readonly maxConcurrentRequests: number;
  /** `-` would print to stdout; the benches use a temporary file. */
  readonly auditFile: string;
  readonly logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** How long a stop waits for enrichments in flight (short: a flooded bench has many waiting on the budget). */
  readonly drainTimeoutMs?: number;
}

/** The config as YAML text. */
export function benchConfigYaml(o: BenchConfigOptions): string {
  return `
genesys:
  gatewayUrl: ${o.gatewayUrl}
  clientId: ${SANDBOX_CLIENT.clientId}
  clientSecret: ${SANDBOX_CLIENT.clientSecret}
  requestsPerMinute: ${o.requestsPerMinute}
  maxConcurrentRequests: ${o.maxConcurrentRequests}
queues:
  - name: Support DE
  - name: Sales EN
  - name: Billing FR
flow:
  name: Customer Enrichment
crm:
  url: ${o.crmUrl}/customers?phone={phone?}&email={email?}
  timeoutMs: 500
attributes:
  prefix: crm.
  map:
    Flow.accountId: /account/id
    Flow.tier: /account/tier
    Flow.balance: /account/balance
    Flow.vip: /account/vip
    Flow.customerSince: /account/since
    Flow.openTickets: /account/openTickets
    Flow.lastContactAt: /account/lastContactAt
    Flow.language: /language
audit:
  file: ${o.auditFile}
http:
  listen: "off"
pipeline:
  drainTimeoutMs: ${o.drainTimeoutMs ?? 10_000}
log:
  level: ${o.logLevel ?? 'warn'}
  format: json
`;
}

/** The same config parsed as the CLI would (defaults applied). */
export function benchConfig(o: BenchConfigOptions): EnricherConfig {
  const file = '/bench/config.yaml';
  return parseConfig(parseConfigText(benchConfigYaml(o), 'yaml', file), { file, env: {} });
}
