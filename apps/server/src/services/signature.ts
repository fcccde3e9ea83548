import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Keyway's signature for what it POSTs to other systems (the `http` SMS gateway, webhooks):
 * `Keyway-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` (API.md).
 */
export function signatureHeader(
  secret: string,
  body: string,
  now: Date,
): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${hmac(secret, `${t}.${body}`)}`;
}

/** Checks a header made by signatureHeader; refuses one older than `toleranceSeconds`. */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  now: Date,
  toleranceSeconds = 300,
): boolean {
  const parts = Object.fromEntries(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()];
    }),
  );
  const t = Number(parts.t);
  if (!Number.isInteger(t) || typeof parts.v1 !== 'string') return false;
  if (Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  const want = Buffer.from(hmac(secret, `${t}.${body}`));
  const got = Buffer.from(parts.v1);
  return want.length === got.length && timingSafeEqual(want, got);
}

const hmac = (secret: string, data: string) =>
  createHmac('sha256', secret).update(data).digest('hex');
