// Queue lookup by name through the official SDK: exact, `*` wildcards, paging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.js';
import type { SandboxQueue } from '../../../src/sandbox/options.js';
import { login, start, type Apis } from './harness.js';

const QUEUES: SandboxQueue[] = [
  'Support DE',
  'Support DE Premium',
  'Support EN',
  'Sales DE',
  'Sales EN',
  'Billing FR',
  'First Line Support',
  ...Array.from({ length: 7 }, (_, i) => `Overflow ${i + 1}`),
].map((name, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name }));

let sandbox: Sandbox;
let api: Apis;

beforeAll(async () => {
  sandbox = await start({ queues: QUEUES });
  api = await login(sandbox.port);
});

afterAll(async () => {
  await sandbox.stop();
});

async function names(name: string | undefined): Promise<string[]> {
  const listing = await api.routing.getRoutingQueues({ ...(name !== undefined && { name }), pageSize: 100 });
  return (listing.entities ?? []).map((q) => q.name!).sort();
}

describe('getRoutingQueues({name})', () => {
  it.each<[string, string[]]>([
    ['Support DE', ['Support DE']],
    ['support de', ['Support DE']],
    ['Support', []],
    ['Support*', ['Support DE', 'Support DE Premium', 'Support EN']],
    ['*DE', ['Sales DE', 'Support DE']],
    ['*Support*', ['First Line Support', 'Support DE', 'Support DE Premium', 'Support EN']],
    ['*port DE*', ['Support DE', 'Support DE Premium']],
    ['Nothing*', []],
  ])('%s -> %j', async (name, expected) => {
    expect(await names(name)).toEqual(expected.sort());
  });

  it('answers every queue without a name, with ids and names', async () => {
    const listing = await api.routing.getRoutingQueues({ pageSize: 100 });
    expect(listing.total).toBe(QUEUES.length);
    expect(listing.entities?.map((q) => ({ id: q.id, name: q.name }))).toEqual(QUEUES);
  });
});

describe('paging', () => {
  it('splits a listing into pages with pageSize, pageNumber, pageCount and total', async () => {
    const first = await api.routing.getRoutingQueues({ name: 'Overflow*', pageSize: 3 });
    expect(first).toMatchObject({ pageSize: 3, pageNumber: 1, pageCount: 3, total: 7 });
    expect(first.nextUri).toEqual(expect.stringContaining('pageNumber=2'));
    const seen = [...(first.entities ?? [])];
    for (let pageNumber = 2; pageNumber <= first.pageCount!; pageNumber++) {
      const next = await api.routing.getRoutingQueues({ name: 'Overflow*', pageSize: 3, pageNumber });
      expect(next.pageNumber).toBe(pageNumber);
      seen.push(...(next.entities ?? []));
      if (pageNumber === first.pageCount) {
        expect(next.entities).toHaveLength(1);
        expect(next.nextUri).toBeUndefined();
      }
    }
    expect(seen.map((q) => q.name)).toEqual(Array.from({ length: 7 }, (_, i) => `Overflow ${i + 1}`));
  });

  it('answers an empty page past the end and defaults pageSize to 25', async () => {
    const past = await api.routing.getRoutingQueues({ name: 'Overflow*', pageSize: 5, pageNumber: 3 });
    expect(past).toMatchObject({ entities: [], pageCount: 2, total: 7 });
    const defaults = await api.routing.getRoutingQueues();
    expect(defaults).toMatchObject({ pageSize: 25, pageNumber: 1, pageCount: 1 });
  });
});
