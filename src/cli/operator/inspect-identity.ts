/** The `inspect` lines that say where each lookup key came from (names of sources, never values). */
import type { LookupKind } from '../../enrich/customer-keys.js';
import type { ResolvedIdentity } from '../../enrich/identity.js';
import type { MediaType } from '../../enrich/snapshot.js';

const KINDS: readonly LookupKind[] = ['phone', 'email', 'externalContactId'];

/** One line per key kind: the source that gave it, or `none`; then the sources tried for the medium. */
export function identityLines(identity: ResolvedIdentity, media: MediaType | undefined): string[] {
  const lines = KINDS.map((kind) => {
    const source = identity.keySources[kind];
    return `${kind.padEnd(18)}${source === undefined ? 'none' : `from ${source} (value not shown)`}`;
  });
  lines.push(`sources tried${media === undefined ? '' : ` for ${media}`}: ${identity.tried.length > 0 ? identity.tried.join(', ') : 'none'}`);
  return lines;
}
