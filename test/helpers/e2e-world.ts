/**
 * The world of an end-to-end test: a sandbox, a fake CRM, a scratch folder with the config and
 * audit file, the sandbox's truth recorder, and the two checks every e2e test ends with: the
 * oracle's judgement and the leak scan of everything the daemons printed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startFakeCrm, type FakeCrm } from '../../src/sandbox/crm/index.js';
import type { SandboxOptions } from '../../src/sandbox/options.js';
import type { CliProcess } from './cli-process.js';
import { customerNeedles, findLeaks, secretNeedles } from './leaks.js';
import { DEFAULT_IDENTITY, judge, type Judgement, type OracleInput } from './oracle.js';
import { writeFacts, type ConversationTruth } from './truth.js';

/**
 * The identity sources the e2e configs use (as config/sandbox.yaml): chat customers by their form
 * data, web messaging guests by their custom attribute; the other media by the defaults.
 */
export const E2E_IDENTITY: Readonly<Record<string, readonly string[]>> = {
  ...DEFAULT_IDENTITY,
  chat: ['attr:context.email', 'attr:context.phoneNumber', 'externalContact'],
  message: ['address', 'attr:customer.email', 'externalContact'],
};

/** The `identity` section of an e2e config, from {@link E2E_IDENTITY}. */
export function identityYaml(): string {
  return `identity:\n${Object.entries(E2E_IDENTITY).map(([medium, sources]) => `  ${medium}: [${sources.join(', ')}]`).join('\n')}\n`;
}

/** The CRM URL template of the e2e configs: every kind of key the CRM can find a customer by. */
export function crmUrl(crm: FakeCrm): string {
  return `${crm.url}/customers?phone={phone?}&email={email?}&externalContactId={externalContactId?}`;
}

export interface World {
  readonly sandbox: Sandbox;
  readonly crm: FakeCrm;
  readonly dir: string;
  readonly auditFile: string;
  readonly configFile: string;
  /** The sandbox's truth API. */
  truth(): ConversationTruth[];
  /** The fake CRM's record of a customer (its own answer), undefined when unknown. */
  crmRecordOf(crmCustomerId: string): unknown;
  stop(): Promise<void>;
}

/** Starts a sandbox (a 300 ms heartbeat unless given) and a fake CRM, and records the truth. */
export async function startWorld(opts: {
  readonly prefix: string;
  readonly secret: string;
  readonly sandbox?: Partial<SandboxOptions>;
  readonly crmToken?: string;
  readonly crmLatencyMs?: number;
}): Promise<World> {
  const sandbox = await startSandbox({
    heartbeatIntervalMs: 300,
    requestsPerMinute: 100_000,
    clients: [{ clientId: 'sandbox-client', clientSecret: opts.secret }],
    ...opts.sandbox,
  });
  // The CRM knows the sandbox's customers (one entity each, found by any of its identifiers).
  const crm = await startFakeCrm({ latencyMs: opts.crmLatencyMs ?? 2, directory: sandbox.org.customers, ...(opts.crmToken !== undefined && { token: opts.crmToken }) });
  const dir = mkdtempSync(join(tmpdir(), `${opts.prefix}-`));
  return {
    sandbox,
    crm,
    dir,
    auditFile: join(dir, 'audit.jsonl'),
    configFile: join(dir, 'config.yaml'),
    truth: () => sandbox.org.truth(),
    crmRecordOf: (id) => crm.recordOf(id),
    async stop() {
      sandbox.traffic.stop();
      await crm.stop();
      await sandbox.stop();
    },
  };
}

/** Writes the config file. */
export function writeConfig(world: World, yaml: string): void {
  writeFileSync(world.configFile, yaml);
}

/** The oracle's judgement of the run so far (the audit file as it is now). */
export function judgeWorld(world: World, input: Omit<OracleInput, 'truth' | 'writes' | 'crmRecordOf' | 'audit' | 'identity'>): Judgement {
  let audit = '';
  try {
    audit = readFileSync(world.auditFile, 'utf8');
  } catch {
    // no audit file yet: every written conversation will lack its line
  }
  return judge({ ...input, identity: E2E_IDENTITY, truth: world.truth(), writes: writeFacts(world.sandbox), crmRecordOf: (id) => world.crmRecordOf(id), audit });
}

/** Prints what the judge found wrong, a few of each, for the test output. */
export function explain(j: Judgement, daemons: readonly CliProcess[] = []): string {
  const out = [j.summary()];
  for (const id of j.missed.slice(0, 5)) {
    const v = j.verdicts.get(id);
    const t = v?.truth;
    const facts = t && `${t.media} queues ${String(t.queueIds.length)} ids ${t.identifiers.map((i) => `${i.source}/${i.kind}`).join(',')} ${t.endedAt === undefined ? 'live' : `ended ${String(t.endedAt - (t.connectedAt ?? 0))} ms after connect`}`;
    out.push(`missed ${id} (${facts ?? '?'}): audit ${JSON.stringify(v?.auditLines.map((l) => `${l.event}/${l.reason ?? ''}`))}`);
    for (const d of daemons) out.push(...d.stderr().split('\n').filter((l) => l.includes(id)).slice(0, 5));
  }
  if (j.missed.length > 0) {
    for (const d of daemons) out.push(...d.stderr().split('\n').filter((l) => /"level":"(warn|error)"/.test(l)).slice(0, 10));
  }
  for (const id of j.doubled.slice(0, 5)) out.push(`written twice ${id}: ${String(j.verdicts.get(id)?.writes.length)} writes`);
  for (const w of j.wrong.slice(0, 5)) {
    const lines = j.verdicts.get(w.id)?.auditLines.map((l) => `${l.event}/${l.reason ?? ''}/${String(l.source)}`);
    out.push(`wrong ${w.id}: ${w.problems.join('; ')} (audit ${JSON.stringify(lines)})`);
    for (const d of daemons) out.push(...d.stderr().split('\n').filter((l) => l.includes(w.id)).slice(0, 5));
  }
  out.push(...j.auditErrors.slice(0, 5));
  return out.join('\n');
}

/**
 * Every leak in what the daemons printed: the client secret, the CRM credentials, every token the
 * sandbox issued, every customer phone and e-mail the sandbox used.
 */
export function leaksOf(world: World, daemons: readonly CliProcess[], secrets: Readonly<Record<string, string>>): string[] {
  const needles = [...secretNeedles({ ...secrets, token: world.sandbox.auth.issued }), ...customerNeedles(world.truth())];
  const haystacks: Record<string, string> = {};
  daemons.forEach((d, i) => {
    haystacks[`daemon ${String(i + 1)} stdout`] = d.stdout();
    haystacks[`daemon ${String(i + 1)} stderr`] = d.stderr();
  });
  try {
    haystacks['audit file'] = readFileSync(world.auditFile, 'utf8');
  } catch {
    // no audit file: nothing to scan there
  }
  return findLeaks(haystacks, needles);
}
