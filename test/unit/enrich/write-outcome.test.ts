import { describe, expect, it } from 'vitest';
import { GenesysApiError, GenesysNetworkError } from '../../../src/genesys/errors.js';
import { markerValue, markerVerifier } from '../../../src/enrich/marker.js';
import { afterWriteError, classifyWriteError, judgeReadBack, needsReadBack, type ReadBack, type WriteFailure } from '../../../src/enrich/write-outcome.js';
import { acd, agent, body, customer, Q1 } from './fixtures.js';

const api = (status: number) => new GenesysApiError('PATCH', status, undefined, undefined, undefined, 'x');
const KEY = Buffer.alloc(32, 3);
const MARKER = 'crm.enricher.traceId';
const TRACE = '0d7c2f4e-9b1a-4c3d-8e5f-6a7b8c9d0e1f';

describe('classifyWriteError', () => {
  it.each([
    [new GenesysNetworkError('PATCH', 'ECONNABORTED'), 'unknown-outcome'],
    [api(504), 'unknown-outcome'],
    [api(500), 'unknown-outcome'],
    [api(408), 'unknown-outcome'],
    [api(404), 'refused'],
    [api(400), 'refused'],
    [api(429), 'not-applied'],
    [api(403), 'not-applied'],
  ] as const)('%s -> %s', (error, kind) => {
    expect(classifyWriteError(error)).toBe(kind);
  });
});

describe('afterWriteError', () => {
  const table: [WriteFailure, ReadBack | undefined, string][] = [
    ['unknown-outcome', 'landed', 'enriched'],
    ['unknown-outcome', 'ended', 'ended'],
    ['unknown-outcome', 'absent', 'retry'],
    ['unknown-outcome', 'unreadable', 'retry'],
    ['unknown-outcome', undefined, 'retry'],
    ['refused', 'ended', 'ended'],
    ['refused', 'absent', 'failed'],
    ['refused', undefined, 'failed'],
    ['not-applied', undefined, 'retry'],
  ];
  it.each(table)('%s, read back %s -> %s', (failure, readBack, next) => {
    expect(afterWriteError(failure, readBack)).toBe(next);
  });
});

describe('needsReadBack', () => {
  it.each([
    ['refused', true],
    ['unknown-outcome', false],
    ['not-applied', false],
  ] as const)('%s -> %s (an unknown outcome is read back at the next try)', (failure, now) => {
    expect(needsReadBack(failure)).toBe(now);
  });
});

describe('judgeReadBack', () => {
  const verify = markerVerifier(KEY);
  const live = (attrs?: Record<string, string>) => body('generic', 'c1', 'call', [customer(['connected'], attrs), acd('p-acd', Q1, ['disconnected']), agent('p-agent', Q1, ['connected'])]);
  it.each([
    ['our marker', live({ [MARKER]: markerValue(KEY, 'c1', TRACE) }), 'landed'],
    ['our marker of another try', live({ [MARKER]: markerValue(KEY, 'c1', '1d7c2f4e-9b1a-4c3d-8e5f-6a7b8c9d0e1f') }), 'absent'],
    ['no marker', live(), 'absent'],
    ['a conversation endTime', { ...(live() as object), endTime: '2026-12-07T00:00:00Z' }, 'ended'],
    ['the target disconnected', body('generic', 'c1', 'call', [customer(['connected', 'disconnected']), agent('p-agent', Q1, ['connected'])]), 'ended'],
    ['no such participant', body('generic', 'c1', 'call', [agent('p-agent', Q1, ['connected'])]), 'unreadable'],
    ['garbage', 'nope', 'unreadable'],
  ])('%s -> %s', (_name, conv, expected) => {
    expect(judgeReadBack(conv, 'p-cust', TRACE, MARKER, verify)).toBe(expected);
  });
});
