/** `check` against the sandbox and the fake CRM, called in-process with captured output. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../../src/cli/check-command.js';
import { startFakeCrm } from '../../../src/sandbox/crm/index.js';
import { DEMO_FLOW_ID } from '../../../src/sandbox/index.js';
import { captureIo, LIMITED_CLIENT, startHarness, type Harness } from './harness.js';

/** The report line of one check (`OK    queue       ...`). */
function lines(out: string, check: string): string[] {
  return out.split('\n').filter((l) => new RegExp(`^(OK|WARN|FAIL|SKIP)\\s+${check}\\s`).test(l));
}

describe('genesys-enricher check', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('passes on a good config, lists every queue, the schema fields and the attribute map, and leaves no topics behind', async () => {
    const io = captureIo();
    const before = h.sandbox.calls.length;
    const writesBefore = h.sandbox.org.writes.length;
    const code = await checkCommand({ configFile: h.config('good') }, io);
    const out = io.out();
    expect(code, out).toBe(0);
    expect(lines(out, 'config')[0]).toMatch(/^OK/);
    expect(lines(out, 'login')[0]).toMatch(/^OK/);
    expect(lines(out, 'queue')).toEqual([
      expect.stringMatching(new RegExp(`^OK.*"Support DE" -> ${h.sandbox.options.queues[0]!.id}`)),
      expect.stringMatching(new RegExp(`^OK.*"Sales EN" -> ${h.sandbox.options.queues[1]!.id}`)),
    ]);
    expect(lines(out, 'flow')[0]).toContain(DEMO_FLOW_ID);
    expect(lines(out, 'schema')[0]).toMatch(/^OK.*published version 1\.0: 8 fields/);
    expect(out).toMatch(/Flow\.accountId\s+string, required, maxLength 32/);
    expect(out).toMatch(/Flow\.customerSince\s+string\/date/);
    expect(lines(out, 'attributes')[0]).toMatch(/^OK.*6 mapped inputs, all in the schema/);
    expect(lines(out, 'topics')[0]).toMatch(/^OK.*3 topics permitted/);
    expect(lines(out, 'crm')[0]).toMatch(/^OK.*reachable: answered (a record|"not found").* in \d+ ms/);
    // The catch-up's calls and the write were probed, each granted; the topic permissions listed.
    expect(lines(out, 'permission')).toEqual([
      expect.stringMatching(/^OK.*POST \/api\/v2\/analytics\/conversations\/activity\/query \(analytics:queueObservation:view\): granted/),
      expect.stringMatching(/^OK.*GET \/api\/v2\/conversations\/\{conversationId\} \(conversation:communication:view\): granted/),
      expect.stringMatching(/^OK.*PATCH .*attributes: no permission documented; not refused .*nothing written/),
    ]);
    expect(lines(out, 'topic perms')[0]).toMatch(/^OK/);
    expect(out).toMatch(/v2\.routing\.queues\.\{id\}\.conversations: routing:queue:view/);
    expect(out).toMatch(/v2\.flows\.\{id\}: architect:flow:view/);
    expect(h.sandbox.org.writes.length).toBe(writesBefore);
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/^all checks passed: \d+ ok, 0 warnings, 0 failed, 0 skipped$/);
    // The probe channel was emptied again (DELETE), and no secret was printed.
    const probes = h.sandbox.calls.slice(before).filter((c) => c.endpoint.includes('/subscriptions'));
    expect(probes.map((c) => c.method)).toEqual(['PUT', 'DELETE']);
    for (const ch of h.sandbox.hub.channels()) expect(ch.topics).toBe(0);
    expect(out).not.toContain(h.env.OP_CRM_TOKEN);
    expect(out).not.toContain(h.env.OP_SANDBOX_SECRET);
  });

  it('reports an unknown queue by its key and still checks the rest, then exits 1', async () => {
    const io = captureIo();
    const code = await checkCommand({ configFile: h.config('unknown-queue', { queues: '  - name: Support DE\n  - name: Nope Queue' }) }, io);
    const out = io.out();
    expect(code).toBe(1);
    expect(lines(out, 'queue')).toEqual([expect.stringMatching(/^OK.*"Support DE"/), expect.stringMatching(/^FAIL.*queues\[1\]\.name: no queue is named "Nope Queue"/)]);
    expect(lines(out, 'topics')[0]).toMatch(/^OK.*2 topics permitted on a probe channel \(only what resolved\)/);
    expect(lines(out, 'crm')[0]).toMatch(/^OK/);
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/^problems found: .* 1 failed/);
  });

  it('fails a flow that has never been published, and one published without an input schema', async () => {
    const unpublished = h.sandbox.org.flows.create('Bare Inbound', 'inboundcall');
    const io = captureIo();
    expect(await checkCommand({ configFile: h.config('unpublished', { flow: '  name: Bare Inbound' }) }, io)).toBe(1);
    expect(lines(io.out(), 'flow')[0]).toMatch(new RegExp(`^OK.*"Bare Inbound" -> ${unpublished.id}`));
    expect(lines(io.out(), 'schema')[0]).toMatch(/^FAIL.*has no published version/);
    expect(lines(io.out(), 'attributes')[0]).toMatch(/^SKIP/);

    const noSchema = h.sandbox.org.flows.create('No Schema Inbound', 'inboundcall');
    h.sandbox.org.flows.publishVersion(noSchema.id);
    const io2 = captureIo();
    expect(await checkCommand({ configFile: h.config('no-schema', { flow: `  id: ${noSchema.id}` }) }, io2)).toBe(1);
    expect(lines(io2.out(), 'schema')[0]).toMatch(/^FAIL.*has no input schema; configure flow\.schema inline/);
  });

  it('fails a flow name that does not exist, naming flow.name', async () => {
    const io = captureIo();
    expect(await checkCommand({ configFile: h.config('no-flow', { flow: '  name: Not A Flow' }) }, io)).toBe(1);
    expect(lines(io.out(), 'flow')[0]).toMatch(/^FAIL.*flow\.name: no flow is named "Not A Flow"/);
  });

  it('names mapped inputs the schema does not have', async () => {
    const io = captureIo();
    const map = '    Flow.accountId: /account/id\n    Flow.shoeSize: /shoe';
    expect(await checkCommand({ configFile: h.config('bad-map', { map }) }, io)).toBe(1);
    expect(lines(io.out(), 'attributes')[0]).toMatch(/^FAIL.*1 of 2 mapped inputs missing from the schema: Flow\.shoeSize/);
    expect(io.out()).toMatch(/Flow\.shoeSize <- \/shoe => crm\.shoeSize\s+not in the schema/);
  });

  it('fails an unreachable CRM', async () => {
    const gone = await startFakeCrm();
    await gone.stop();
    const io = captureIo();
    expect(await checkCommand({ configFile: h.config('crm-down', { crmUrl: gone.url }) }, io)).toBe(1);
    expect(lines(io.out(), 'crm')[0]).toMatch(/^FAIL.*unreachable: no connection/);
    expect(lines(io.out(), 'topics')[0]).toMatch(/^OK/);
  });

  it('fails a CRM that refuses the credentials, without printing them', async () => {
    const io = captureIo();
    process.env.OP_WRONG_TOKEN = 'wrong-token-e3f0';
    const file = h.config('crm-401', { tokenEnv: 'OP_WRONG_TOKEN' });
    expect(await checkCommand({ configFile: file }, io)).toBe(1);
    expect(lines(io.out(), 'crm')[0]).toMatch(/^FAIL.*refused: HTTP 401.*check crm\.headers/);
    expect(io.out()).not.toContain('wrong-token-e3f0');
  });

  it('lists the queue topics a client lacks permission for, with the missing permission', async () => {
    const io = captureIo();
    const file = h.config('limited', { clientId: LIMITED_CLIENT.clientId, secretEnv: 'OP_LIMITED_SECRET' });
    expect(await checkCommand({ configFile: file }, io)).toBe(1);
    const out = io.out();
    expect(lines(out, 'topics')[0]).toMatch(/^FAIL.*2 of 3 topics rejected/);
    for (const q of h.sandbox.options.queues.slice(0, 2)) {
      expect(out).toMatch(new RegExp(`v2\\.routing\\.queues\\.${q.id}\\.conversations \\("${q.name}"\\): missing routing:queue:view`));
    }
    const channels = h.sandbox.hub.channels().filter((c) => c.clientId === LIMITED_CLIENT.clientId);
    expect(channels.length).toBeGreaterThan(0);
    for (const ch of channels) expect(ch.topics).toBe(0);
  });

  it('names conversation:communication:view when the catch-up GET is refused, and exits 1', async () => {
    h.sandbox.permissions.revoke('conversation:communication:view');
    try {
      const io = captureIo();
      expect(await checkCommand({ configFile: h.config('no-conversation-view') }, io)).toBe(1);
      const out = io.out();
      const permission = lines(out, 'permission');
      expect(permission.filter((l) => l.startsWith('FAIL'))).toEqual([
        expect.stringMatching(/GET \/api\/v2\/conversations\/\{conversationId\} \(catch-up read\): refused, the OAuth client lacks conversation:communication:view$/),
      ]);
      expect(out.trimEnd().split('\n').at(-1)).toMatch(/^problems found: .* 1 failed/);
    } finally {
      h.sandbox.permissions.reset();
    }
  });

  it('names the permission a refused queue lookup or activity query needs', async () => {
    h.sandbox.permissions.revoke('routing:queue:view');
    h.sandbox.permissions.revoke('analytics:queueObservation:view');
    try {
      const io = captureIo();
      expect(await checkCommand({ configFile: h.config('no-queue-view') }, io)).toBe(1);
      const out = io.out();
      expect(lines(out, 'queue')[0]).toMatch(/^FAIL.*GET \/api\/v2\/routing\/queues refused \(403\): the OAuth client lacks routing:queue:view/);
      expect(lines(out, 'permission')[0]).toMatch(/^SKIP.*no queue resolved/);
    } finally {
      h.sandbox.permissions.reset();
    }
  });

  it('names analytics:queueObservation:view when the catch-up query is refused', async () => {
    h.sandbox.permissions.revoke('analytics:queueObservation:view');
    try {
      const io = captureIo();
      const file = h.config('no-observation', { queues: `  - id: ${h.sandbox.options.queues[0]!.id}` });
      expect(await checkCommand({ configFile: file }, io)).toBe(1);
      const permission = lines(io.out(), 'permission');
      expect(permission[0]).toMatch(/^FAIL.*POST \/api\/v2\/analytics\/conversations\/activity\/query \(catch-up query\): refused, the OAuth client lacks analytics:queueObservation:view$/);
      // The conversation GET is still probed (on a made-up id) and granted.
      expect(permission[1]).toMatch(/^OK.*a made-up id answered 404/);
    } finally {
      h.sandbox.permissions.reset();
    }
  });

  it('fails the login with a wrong secret and skips what needs it', async () => {
    process.env.OP_BAD_SECRET = 'not-the-secret-91';
    const io = captureIo();
    expect(await checkCommand({ configFile: h.config('bad-login', { secretEnv: 'OP_BAD_SECRET' }) }, io)).toBe(1);
    const out = io.out();
    expect(lines(out, 'login')[0]).toMatch(/^FAIL.*cannot log in/);
    for (const c of ['queues', 'flow', 'topics']) expect(lines(out, c)[0]).toMatch(/^SKIP/);
    expect(lines(out, 'crm')[0]).toMatch(/^OK/);
    expect(out).not.toContain('not-the-secret-91');
  });

  it('exits 2 for a config that does not load, naming the file and the key', async () => {
    const io = captureIo();
    const file = h.config('bad-key', { extra: 'trigger: whenever\n' });
    const code = await checkCommand({ configFile: file }, io);
    expect(code).toBe(2);
    expect(lines(io.out(), 'config')[0]).toMatch(/^FAIL/);
    expect(io.out()).toContain(file);
    expect(io.out()).toMatch(/trigger: must be one of/);
    expect(lines(io.out(), 'login')).toEqual([]);
  });
});
