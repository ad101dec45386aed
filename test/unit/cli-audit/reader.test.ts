import { describe, expect, it } from 'vitest';
import { AuditReader } from '../../../src/cli/audit/reader.js';
import type { AuditFilter } from '../../../src/cli/audit/filter.js';
import { jsonLine } from './fixtures.js';

const A = jsonLine({ conversationId: 'aaaa0001', ts: '2026-03-01T10:00:00Z' });
const B = jsonLine({ conversationId: 'bbbb0002', ts: '2026-03-01T11:00:00Z', event: 'skipped', reason: 'crm-not-found' });

function read(chunks: readonly string[], filter: AuditFilter = {}, restartAfter?: number): { kept: string[]; reader: AuditReader } {
  const kept: string[] = [];
  const reader = new AuditReader(filter, (r) => kept.push(r.conversationId));
  chunks.forEach((c, i) => {
    reader.onChunk(Buffer.from(c));
    if (i === restartAfter) reader.onRestart();
  });
  reader.finishFile();
  return { kept, reader };
}

describe('AuditReader', () => {
  it.each<[string, string[], string[], number[], number]>([
    ['whole lines', [`${A}\n${B}\n`], ['aaaa0001', 'bbbb0002'], [], 0],
    ['garbage between lines', [`${A}\nnot json\n{"x":1}\n${B}\n`], ['aaaa0001', 'bbbb0002'], [2, 3], 0],
    ['a half-written last line', [`${A}\n${B.slice(0, 30)}`], ['aaaa0001'], [], 1],
    ['a last line without its newline but whole', [`${A}\n${B}`], ['aaaa0001', 'bbbb0002'], [], 0],
    ['a line completed by the next chunk', [`${A}\n${B.slice(0, 30)}`, `${B.slice(30)}\n`], ['aaaa0001', 'bbbb0002'], [], 0],
    ['blank lines', [`\n${A}\n\n\n`], ['aaaa0001'], [], 0],
  ])('%s', (_name, chunks, kept, unreadable, incomplete) => {
    const r = read(chunks);
    expect(r.kept).toEqual(kept);
    expect(r.reader.summary.unreadable).toEqual(unreadable);
    expect(r.reader.summary.incomplete).toBe(incomplete);
    expect(r.reader.summary.total).toBe(kept.length);
  });

  it('counts only the records that pass the filter', () => {
    const r = read([`${A}\n${B}\n`], { sinceMs: Date.parse('2026-03-01T10:30:00Z') });
    expect(r.kept).toEqual(['bbbb0002']);
    expect([...r.reader.summary.events]).toEqual([['skipped', 1]]);
  });

  it('finishes the old file on a rotation: its cut line is incomplete, line numbers restart', () => {
    const r = read([`${A}\n${B.slice(0, 20)}`, `junk\n${B}\n`], {}, 0);
    expect(r.kept).toEqual(['aaaa0001', 'bbbb0002']);
    expect(r.reader.summary.incomplete).toBe(1);
    expect(r.reader.summary.unreadable).toEqual([1]);
  });
});
