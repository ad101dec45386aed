import { describe, expect, it } from 'vitest';
import type { ActivityEntity } from '../../../src/genesys/client.js';
import { silentLogger } from '../../../src/log.js';
import { Backfiller, entitiesToFetch } from '../../../src/enrich/backfill.js';
import { ClaimSet } from '../../../src/enrich/claims.js';
import { waitFor } from '../../helpers/wait-for.js';

const e = (conversationId: string, metric: string, queueId = 'q1'): ActivityEntity => ({ conversationId, queueId, metric });
const d = (conversationId: string, activityDate: string): ActivityEntity => ({ conversationId, queueId: 'q1', metric: 'oInteracting', activityDate });

describe('entitiesToFetch', () => {
  it.each([
    ['agent-connected fetches interacting, unsettled ones', 'agent-connected', [e('a', 'oInteracting'), e('b', 'oWaiting'), e('c', 'oInteracting')], ['c'], ['a']],
    ['queued also fetches waiting ones', 'queued', [e('a', 'oInteracting'), e('b', 'oWaiting')], [], ['a', 'b']],
    ['a conversation listed under two queues is fetched once', 'agent-connected', [e('a', 'oInteracting', 'q1'), e('a', 'oInteracting', 'q2')], [], ['a']],
    ['nothing when everything is settled', 'agent-connected', [e('a', 'oInteracting')], ['a'], []],
    [
      'newest first; undated ones last, in the order given',
      'agent-connected',
      [e('u1', 'oInteracting'), d('old', '2026-12-07T00:00:00Z'), d('new', '2026-12-07T00:05:00Z'), e('u2', 'oInteracting'), d('mid', '2026-12-07T00:02:00.500Z'), d('bad', 'yesterday')],
      [],
      ['new', 'mid', 'old', 'u1', 'u2', 'bad'],
    ],
  ] as const)('%s', (_name, trigger, entities, settled, expected) => {
    expect(entitiesToFetch(entities, trigger, (id) => (settled as readonly string[]).includes(id))).toEqual(expected);
  });
});

describe('Backfiller', () => {
  function build(answers: Map<string, { entities: ActivityEntity[]; truncated: boolean }>) {
    const queries: string[][] = [];
    const fetched: string[] = [];
    const offered: unknown[] = [];
    const claims = new ClaimSet(100);
    const backfill = new Backfiller(
      { queueIds: ['q1', 'q2'], trigger: 'agent-connected', intervalMs: 0, debounceMs: 5 },
      {
        api: {
          activeConversations: (ids) => {
            queries.push([...ids]);
            return Promise.resolve(answers.get(ids.join(',')) ?? { entities: [], truncated: false });
          },
          getConversation: (id) => {
            fetched.push(id);
            return Promise.resolve({ id } as never);
          },
        },
        enricher: { claims, offer: (body) => offered.push(body) },
        logger: silentLogger,
      },
    );
    return { backfill, queries, fetched, offered, claims };
  }

  it('asks queue by queue when the combined answer was truncated', async () => {
    const h = build(
      new Map([
        ['q1,q2', { entities: [e('a', 'oInteracting')], truncated: true }],
        ['q1', { entities: [e('a', 'oInteracting'), e('b', 'oInteracting')], truncated: false }],
        ['q2', { entities: [e('c', 'oInteracting', 'q2')], truncated: false }],
      ]),
    );
    await h.backfill.runNow();
    expect(h.queries).toEqual([['q1', 'q2'], ['q1'], ['q2']]);
    expect(h.fetched.sort()).toEqual(['a', 'b', 'c']);
    expect(h.offered).toHaveLength(3);
  });

  it('fetches nothing that is already settled and coalesces bursts of requests', async () => {
    const h = build(new Map([['q1,q2', { entities: [e('a', 'oInteracting'), e('b', 'oInteracting')], truncated: false }]]));
    h.claims.claim('a');
    for (let i = 0; i < 10; i++) h.backfill.request('gap');
    await waitFor(() => h.backfill.runs === 1);
    await h.backfill.stop();
    expect(h.queries).toHaveLength(1);
    expect(h.fetched).toEqual(['b']);
  });
});
