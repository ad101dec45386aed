import { describe, expect, it } from 'vitest';
import { markerValue, readMarker } from '../../../src/enrich/marker.js';
import { deriveSigningKeys } from '../../../src/signing.js';

const TRACE = '0d7c2f4e-9b1a-4c3d-8e5f-6a7b8c9d0e1f';
const keys = deriveSigningKeys({ clientSecret: 'client-secret-1' });

describe('marker', () => {
  const good = markerValue(keys.marker, 'conv-1', TRACE);

  it('verifies its own value and gives back the trace id', () => {
    expect(readMarker(keys.marker, 'conv-1', good)).toEqual({ kind: 'valid', traceId: TRACE });
    expect(readMarker(keys.marker, 'conv-1', undefined)).toEqual({ kind: 'absent' });
  });

  it.each([
    ['a bare trace id (the old marker)', TRACE],
    ['an empty value', ''],
    ['another conversation', markerValue(keys.marker, 'conv-2', TRACE)],
    ['another trace id', good.replace(TRACE, '1d7c2f4e-9b1a-4c3d-8e5f-6a7b8c9d0e1f')],
    ['a truncated mac', good.slice(0, -1)],
    ['a mac with a stray character', `${good}!`],
    ['another client secret', markerValue(deriveSigningKeys({ clientSecret: 'client-secret-2' }).marker, 'conv-1', TRACE)],
    ['not a uuid before the dot', `gold.${good.split('.')[1] ?? ''}`],
  ])('calls %s forged', (_name, value) => {
    expect(readMarker(keys.marker, 'conv-1', value)).toEqual({ kind: 'forged' });
  });
});

describe('signing keys', () => {
  it('derive one key per purpose, from signing.key when set, else from the client secret', () => {
    const fromSecret = deriveSigningKeys({ clientSecret: 's' });
    expect(fromSecret.marker.equals(fromSecret.audit)).toBe(false);
    expect(deriveSigningKeys({ clientSecret: 's' }).marker.equals(fromSecret.marker)).toBe(true);
    const fromKey = deriveSigningKeys({ clientSecret: 's', signingKey: 'a-long-signing-key-123' });
    expect(fromKey.marker.equals(fromSecret.marker)).toBe(false);
    expect(deriveSigningKeys({ clientSecret: 'other', signingKey: 'a-long-signing-key-123' }).marker.equals(fromKey.marker)).toBe(true);
  });
});
