import { describe, expect, it } from 'vitest';
import { planReload } from '../../../src/daemon/reload-plan.js';
import { parse, rawWith } from '../config/fixtures.js';

const base = parse(rawWith({}));

describe('planReload', () => {
  it.each([
    { name: 'nothing changed', edits: {}, live: [], restart: [] },
    { name: 'the prefix', edits: { 'attributes.prefix': 'x.' }, live: ['attributes'], restart: [] },
    { name: 'a queue', edits: { queues: [{ name: 'Support DE' }, { name: 'Sales' }] }, live: ['queues'], restart: [] },
    { name: 'stream timings', edits: { 'stream.heartbeatTimeoutMs': 45_000 }, live: ['stream'], restart: [] },
    { name: 'the audit file', edits: { 'audit.file': '/var/log/other.jsonl' }, live: ['audit'], restart: [] },
    { name: 'the log level', edits: { 'log.level': 'debug' }, live: [], restart: ['log'] },
    { name: 'the Genesys limits', edits: { 'genesys.requestsPerMinute': 100 }, live: [], restart: ['genesys'] },
    { name: 'CRM and http together', edits: { 'crm.timeoutMs': 900, 'http.listen': 'off' }, live: ['crm'], restart: ['http'] },
  ])('$name', ({ edits, live, restart }) => {
    const plan = planReload(base, parse(rawWith(edits)));
    expect(plan.live).toEqual(live);
    expect(plan.needsRestart).toEqual(restart);
    expect(plan.changed).toEqual([...live, ...restart].sort((a, b) => Object.keys(base).indexOf(a) - Object.keys(base).indexOf(b)));
  });

  it('reports a section it does not know (added by a later version) as needing a restart', () => {
    const next = { ...base, shiny: { on: true } } as typeof base;
    expect(planReload(base, next)).toEqual({ changed: ['shiny'], live: [], needsRestart: ['shiny'] });
  });

  it('reports a live section as needing a restart when a key it does not apply live changed', () => {
    const next = { ...base, audit: { ...base.audit, fsync: true } } as typeof base;
    expect(planReload(base, next)).toEqual({ changed: ['audit'], live: [], needsRestart: ['audit'] });
    const both = { ...base, audit: { ...base.audit, file: '/var/log/x.jsonl', fsync: true } } as typeof base;
    expect(planReload(base, both).needsRestart).toEqual(['audit']);
  });

  it('ignores config warnings', () => {
    expect(planReload(base, { ...base, warnings: ['inline secret'] }).changed).toEqual([]);
  });
});
