// The catch-up in cluster mode: what any instance has decided costs no GET.
import { describe, expect, it } from 'vitest';
import { Backfiller } from '../../../src/enrich/backfill.js';
import { ClaimSet } from '../../../src/enrich/claims.js';
import type { ActivityEntity } from '../../../src/genesys/client.js';
import { silentLogger } from '../../../src/log.js';

const e = (conversationId: string): ActivityEntity => ({ conversationId, queueId: 'q1', metric: 'oInteracting' });

function build(doneInCluster: (ids: readonly string[]) => Promise<ReadonlySet<string> | undefined>) {
  const fetched: string[] = [];
  const asked: string[][] = [];
  const claims = new ClaimSet(100);
  const backfill = new Backfiller(
    { queueIds: ['q1'], trigger: 'agent-connected', intervalMs: 0, debounceMs: 5 },
    {
      api: {
        activeConversations: () => Promise.resolve({ entities: [e('a'), e('b'), e('c')], truncated: false }),
        getConversation: (id) => {
          fetched.push(id);
          return Promise.resolve({ id } as never);
        },
      },
      enricher: { claims, offer: () => undefined },
      logger: silentLogger,
      doneInCluster: (ids) => {
        asked.push([...ids]);
        return doneInCluster(ids);
      },
    },
  );
  return { backfill, fetched, asked, claims };
}

describe('Backfiller in a cluster', () => {
  it('skips, without a GET, what another instance has done, and settles it here', async () => {
    const h = build(() => Promise.resolve(new Set(['a', 'c'])));
    h.claims.claim('b');
    h.claims.release('b');
    await h.backfill.runNow();
    expect(h.asked).toEqual([['a', 'b', 'c']]);
    expect(h.fetched).toEqual(['b']);
    expect(h.claims.settled('a')).toBe(true);
    expect(h.claims.settled('c')).toBe(true);
  });

  it('fetches as before when the cluster store cannot answer', async () => {
    const h = build(() => Promise.resolve(undefined));
    await h.backfill.runNow();
    expect(h.fetched.sort()).toEqual(['a', 'b', 'c']);
  });

  it('does not ask the cluster when nothing needs a look', async () => {
    const h = build(() => Promise.resolve(new Set<string>()));
    for (const id of ['a', 'b', 'c']) h.claims.done(id);
    await h.backfill.runNow();
    expect(h.asked).toEqual([]);
    expect(h.fetched).toEqual([]);
  });
});
