/**
 * The "done" marker written with every enrichment: `<traceId>.<mac>`, where mac is
 * HMAC-SHA256(marker key, conversationId + "\n" + traceId) in base64url. Anyone can set a
 * participant attribute (web messaging custom attributes land on the customer), so a marker
 * counts only when it verifies: a forged or foreign one is treated as absent.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A marker as read from a snapshot. */
export type MarkerReading = { readonly kind: 'absent' } | { readonly kind: 'valid'; readonly traceId: string } | { readonly kind: 'forged' };

/** Trace ids are ours (UUIDs); anything else before the dot cannot be a marker we wrote. */
const TRACE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function mac(key: Buffer, conversationId: string, traceId: string): Buffer {
  return createHmac('sha256', key).update(`${conversationId}\n${traceId}`).digest();
}

/** The marker value for one conversation and trace id. */
export function markerValue(key: Buffer, conversationId: string, traceId: string): string {
  return `${traceId}.${mac(key, conversationId, traceId).toString('base64url')}`;
}

/** Reads a marker value (`undefined`: no marker attribute). */
export function readMarker(key: Buffer, conversationId: string, value: string | undefined): MarkerReading {
  if (value === undefined) return { kind: 'absent' };
  const dot = value.indexOf('.');
  const traceId = dot < 0 ? '' : value.slice(0, dot);
  if (!TRACE_ID.test(traceId)) return { kind: 'forged' };
  // Compared as text: base64url decoding would ignore stray characters.
  const given = Buffer.from(value.slice(dot + 1), 'utf8');
  const expected = Buffer.from(mac(key, conversationId, traceId).toString('base64url'), 'utf8');
  // Compare lengths first: timingSafeEqual throws on different lengths.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { kind: 'forged' };
  return { kind: 'valid', traceId };
}

/** A verifier bound to one key, as detection and the pipeline take it. */
export type MarkerVerifier = (conversationId: string, value: string | undefined) => MarkerReading;

/** Binds {@link readMarker} to a key. */
export function markerVerifier(key: Buffer): MarkerVerifier {
  return (conversationId, value) => readMarker(key, conversationId, value);
}
