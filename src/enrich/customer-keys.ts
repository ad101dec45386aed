/** Pulls the CRM lookup keys out of a participant address (pure). */

/** `tel:+4915...` / `+4915...` -> phone; `name@host` / `mailto:name@host` -> e-mail; SIP URIs give the user part. */
export function lookupKeys(address: string | undefined): { phone?: string; email?: string } {
  if (!address) return {};
  let a = address.trim();
  const scheme = /^([a-z]+):/i.exec(a)?.[1]?.toLowerCase();
  if (scheme === 'tel') return { phone: a.slice(4).replace(/[\s().-]/g, '') };
  if (scheme === 'mailto') return { email: a.slice(7) };
  if (scheme === 'sip' || scheme === 'sips') {
    a = a.slice(scheme.length + 1).split(/[@;]/)[0] ?? '';
    return /^\+?\d{3,}$/.test(a) ? { phone: a } : {};
  }
  if (a.includes('@')) return { email: a };
  const digits = a.replace(/[\s().-]/g, '');
  return /^\+?\d{3,}$/.test(digits) ? { phone: digits } : {};
}
