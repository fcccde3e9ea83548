import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Opaque, unguessable, prefixed ids: `sp_4k9x…`. */
export function newId(prefix: string, bytes = 12): string {
  const buf = randomBytes(bytes);
  let s = '';
  for (const b of buf) s += ALPHABET[b & 31];
  return `${prefix}_${s}`;
}

export function newSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
