/**
 * Per-purpose signing keys. One root secret (config `signing.key`, else derived from the OAuth
 * client secret) yields one key per purpose, so a key that leaks through one use (say, an audit
 * hash worked on offline) says nothing about another (the marker).
 *
 * Why the client secret as the default root: every instance that writes for one org already
 * holds it, so restarts and several instances sharing an OAuth client agree on the marker with no
 * new config, and anyone who could forge a marker with it could already write any attribute with
 * the client itself. A rotated client secret turns old markers into "foreign" ones (enriched once
 * more, never skipped on a forgery), which is why `signing.key` exists for long-lived setups.
 */
import { createHmac } from 'node:crypto';

/** What a derived key is used for. */
export type KeyPurpose = 'marker' | 'audit';

/** The derived keys, one per purpose. */
export type SigningKeys = Readonly<Record<KeyPurpose, Buffer>>;

/** Fixed labels: changing one invalidates every marker written before (a deliberate, visible act). */
const ROOT_LABEL = 'genesys-enricher/signing-root/v1';
const PURPOSE_LABEL: Readonly<Record<KeyPurpose, string>> = { marker: 'genesys-enricher/marker/v1', audit: 'genesys-enricher/audit/v1' };

/** Where the root secret comes from: `signing.key` when set, else the client secret. */
export interface SigningSource {
  readonly signingKey?: string | undefined;
  readonly clientSecret: string;
}

/** Derives the per-purpose keys (HMAC-SHA256 of a fixed label under the root). */
export function deriveSigningKeys(source: SigningSource): SigningKeys {
  const root = source.signingKey ?? hmac(Buffer.from(source.clientSecret, 'utf8'), ROOT_LABEL);
  return {
    marker: hmac(root, PURPOSE_LABEL.marker),
    audit: hmac(root, PURPOSE_LABEL.audit),
  };
}

function hmac(key: Buffer | string, label: string): Buffer {
  return createHmac('sha256', key).update(label).digest();
}
