/**
 * The optional 4-digit passcode asked before every open. Only a salted PBKDF2-SHA-256 hash is
 * kept, in this device's localStorage, per user. It guards an unlocked phone left on a table; it
 * is not a secret the server relies on (four digits are 10,000 guesses away from any hash).
 */
const ITERATIONS = 210_000;
const key = (userId: string) => `keyway.passcode.${userId}`;

interface Stored {
  salt: string;
  hash: string;
  iterations: number;
}

const b64 = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)));
const unb64 = (text: string) =>
  Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function derive(
  code: string,
  salt: Uint8Array,
  iterations: number,
): Promise<string> {
  const material = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(code),
    'PBKDF2',
    false,
    ['deriveBits'],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    material,
    256,
  );
  return b64(bits);
}

export const isPasscodeFormat = (code: string) => /^\d{4}$/.test(code);

export function hasPasscode(userId: string): boolean {
  return localStorage.getItem(key(userId)) !== null;
}

export async function setPasscode(userId: string, code: string): Promise<void> {
  if (!isPasscodeFormat(code)) throw new Error('passcode must be 4 digits');
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const stored: Stored = {
    salt: b64(salt),
    hash: await derive(code, salt, ITERATIONS),
    iterations: ITERATIONS,
  };
  localStorage.setItem(key(userId), JSON.stringify(stored));
}

export function clearPasscode(userId: string): void {
  localStorage.removeItem(key(userId));
}

export async function verifyPasscode(
  userId: string,
  code: string,
): Promise<boolean> {
  const raw = localStorage.getItem(key(userId));
  if (!raw) return true;
  const stored = JSON.parse(raw) as Stored;
  const hash = await derive(code, unb64(stored.salt), stored.iterations);
  // Both sides are fixed-length base64 of a 32-byte digest; compare every character anyway.
  let diff = hash.length ^ stored.hash.length;
  for (let i = 0; i < hash.length; i++)
    diff |= hash.charCodeAt(i) ^ stored.hash.charCodeAt(i);
  return diff === 0;
}
