import { describe, expect, it } from 'vitest';
import { currentCrmWord } from '../../../src/cli/audit/crm-words.js';
import { parseAuditLine } from '../../../src/cli/audit/record.js';
import { auditCrmWord } from '../../../src/enrich/crm-word.js';

describe('auditCrmWord (what the daemon writes)', () => {
  it.each([
    ['hit', true, 'cache-hit'],
    ['miss', true, 'fetched'],
    ['hit', false, 'not-found'],
    ['miss', false, 'not-found'],
    ['stale', true, 'stale'],
    ['timeout', false, 'timeout'],
    ['error', false, 'error'],
  ] as const)('%s, found %s -> %s', (outcome, found, word) => {
    expect(auditCrmWord(outcome, found)).toBe(word);
  });
});

describe('currentCrmWord (reading old trails)', () => {
  it.each([
    ['hit', undefined, 'cache-hit'],
    ['miss', undefined, 'fetched'],
    ['miss', 'crm-not-found', 'not-found'],
    ['hit', 'crm-not-found', 'not-found'],
    ['cache-hit', undefined, 'cache-hit'],
    ['fetched', undefined, 'fetched'],
    ['stale', 'write-failed', 'stale'],
    ['timeout', 'crm-timeout', 'timeout'],
  ])('%s (reason %s) -> %s', (crm, reason, word) => {
    expect(currentCrmWord(crm, reason)).toBe(word);
  });

  it('an old line and a new line read the same', () => {
    const old = parseAuditLine('{"ts":"2026-03-01T00:00:00Z","event":"skipped","reason":"crm-not-found","conversationId":"c1","crm":"miss"}');
    const now = parseAuditLine('{"ts":"2026-03-01T00:00:00Z","event":"skipped","reason":"crm-not-found","conversationId":"c1","crm":"not-found"}');
    expect(old.kind === 'record' && old.record.crm).toBe('not-found');
    expect(now.kind === 'record' && now.record.crm).toBe('not-found');
  });
});
