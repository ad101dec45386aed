/** Shared set-up of the `check` and `inspect` tests: a sandbox, a fake CRM, config files, captured output. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { CommandIo } from '../../../src/cli/io.js';
import { startFakeCrm, type FakeCrm } from '../../../src/sandbox/crm/index.js';
import { DEMO_FLOW_NAME, startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { SANDBOX_CLIENT } from '../../../src/sandbox/options.js';

export const CRM_TOKEN = 'op-crm-token-5d1c9e';
/** A client the sandbox refuses queue topics to. */
export const LIMITED_CLIENT = { clientId: 'limited-client', clientSecret: 'limited-secret-77a1', deniedTopicPrefixes: ['v2.routing.queues.'] } as const;

/** What a test can vary in the config file. */
export interface ConfigParts {
  readonly queues?: string;
  readonly flow?: string;
  readonly crmUrl?: string;
  readonly clientId?: string;
  readonly secretEnv?: string;
  /** Env name of the CRM bearer token. */
  readonly tokenEnv?: string;
  readonly map?: string;
  readonly extra?: string;
}

export interface Harness {
  readonly sandbox: Sandbox;
  readonly crm: FakeCrm;
  readonly dir: string;
  /** Env for the config's `${...}` references (also set on process.env for in-process calls). */
  readonly env: Record<string, string>;
  /** Writes a config file and returns its path. */
  config(name: string, parts?: ConfigParts): string;
  stop(): Promise<void>;
}

const DEFAULT_MAP = `    Flow.accountId: /account/id
    Flow.tier: /account/tier
    Flow.balance: /account/balance
    Flow.vip: /account/vip
    Flow.customerSince: /account/since
    Flow.language: /language`;

/** Starts a sandbox (with a limited second client) and a fake CRM behind a token. */
export async function startHarness(): Promise<Harness> {
  const sandbox = await startSandbox({ clients: [SANDBOX_CLIENT, LIMITED_CLIENT] });
  const crm = await startFakeCrm({ token: CRM_TOKEN });
  const dir = mkdtempSync(join(tmpdir(), 'cli-operator-'));
  const env = {
    OP_SANDBOX_SECRET: SANDBOX_CLIENT.clientSecret,
    OP_LIMITED_SECRET: LIMITED_CLIENT.clientSecret,
    OP_CRM_TOKEN: CRM_TOKEN,
  };
  Object.assign(process.env, env);
  return {
    sandbox,
    crm,
    dir,
    env,
    config(name, parts = {}) {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(
        file,
        `genesys:
  gatewayUrl: ${sandbox.url}
  clientId: ${parts.clientId ?? SANDBOX_CLIENT.clientId}
  clientSecret: \${${parts.secretEnv ?? 'OP_SANDBOX_SECRET'}}
  requestsPerMinute: 6000
queues:
${parts.queues ?? '  - name: Support DE\n  - name: Sales EN'}
flow:
${parts.flow ?? `  name: ${DEMO_FLOW_NAME}`}
crm:
  url: ${parts.crmUrl ?? crm.url}/customers?phone={phone?}&email={email?}
  headers:
    Authorization: Bearer \${${parts.tokenEnv ?? 'OP_CRM_TOKEN'}}
  timeoutMs: 1000
attributes:
  prefix: crm.
  map:
${parts.map ?? DEFAULT_MAP}
audit:
  file: ${join(dir, 'audit.jsonl')}
http:
  listen: "off"
${parts.extra ?? ''}`,
      );
      return file;
    },
    async stop() {
      sandbox.traffic.stop();
      await crm.stop();
      await sandbox.stop();
    },
  };
}

/** A CommandIo that keeps what was written. */
export function captureIo(): CommandIo & { out(): string; err(): string } {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer | string, _enc, done) {
        append(chunk.toString());
        done();
      },
    });
  return {
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    out: () => out,
    err: () => err,
  };
}
