import { describe, expect, it } from 'vitest';
import { matchesFilter, type AuditFilter } from '../../../src/cli/audit/filter.js';
import { parseAuditLine, type AuditRecord } from '../../../src/cli/audit/record.js';
import { jsonLine } from './fixtures.js';

function record(conversationId: string, ts: string): AuditRecord {
  const parsed = parseAuditLine(jsonLine({ conversationId, ts }));
  if (parsed.kind !== 'record') throw new Error('fixture is not a record');
  return parsed.record;
}

const R = record('447a0cc8-1111-4222-8333-444455556666', '2026-03-01T10:00:00Z');

describe('matchesFilter', () => {
  it.each<[string, AuditFilter, boolean]>([
    ['no filter', {}, true],
    ['the full id', { conversationId: '447a0cc8-1111-4222-8333-444455556666' }, true],
    ['the short id as printed', { conversationId: '447a0cc8' }, true],
    ['the id in capitals', { conversationId: '447A0CC8' }, true],
    ['another id', { conversationId: '890220a7' }, false],
    ['an id that only contains the wanted text later', { conversationId: '1111' }, false],
    ['since before it', { sinceMs: Date.parse('2026-03-01T09:59:59Z') }, true],
    ['since exactly then', { sinceMs: Date.parse('2026-03-01T10:00:00Z') }, true],
    ['since after it', { sinceMs: Date.parse('2026-03-01T10:00:01Z') }, false],
    ['both, both pass', { conversationId: '447a', sinceMs: 0 }, true],
    ['both, the time fails', { conversationId: '447a', sinceMs: Date.parse('2026-03-02T00:00:00Z') }, false],
  ])('%s', (_name, filter, expected) => {
    expect(matchesFilter(R, filter)).toBe(expected);
  });
});
