import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

const PEM_CERT =
  /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/g;

/**
 * Reads the CA file of `--ca`: one or more PEM certificates (a bundle is fine). The unit
 * trusts exactly these for the server's certificate, not the system's CAs.
 */
export function readCa(
  path: string,
): { ok: true; pem: Buffer } | { ok: false; problem: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return {
      ok: false,
      problem: `cannot read the file (${e.code ?? e.message})`,
    };
  }
  const blocks = text.match(PEM_CERT) ?? [];
  if (blocks.length === 0)
    return {
      ok: false,
      problem:
        'no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)',
    };
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (err) {
      return {
        ok: false,
        problem: `a certificate in it does not parse (${(err as Error).message})`,
      };
    }
  }
  return { ok: true, pem: Buffer.from(blocks.join('\n')) };
}

/** Node's codes for a server certificate the unit refuses, and what each means for an installer. */
const REFUSALS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'it is not signed by a CA this unit trusts',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    'it is not signed by a CA this unit trusts',
  UNABLE_TO_GET_ISSUER_CERT: 'it is not signed by a CA this unit trusts',
  SELF_SIGNED_CERT_IN_CHAIN: 'it is not signed by a CA this unit trusts',
  DEPTH_ZERO_SELF_SIGNED_CERT:
    'it is self-signed and is not the CA this unit trusts',
  CERT_SIGNATURE_FAILURE: 'its signature does not verify',
  CERT_HAS_EXPIRED: "it has expired (or this unit's clock is wrong)",
  CERT_NOT_YET_VALID: "it is not valid yet (or this unit's clock is wrong)",
  ERR_TLS_CERT_ALTNAME_INVALID: "it does not name the URL's host",
  CERT_REVOKED: 'it is revoked',
  INVALID_CA: 'a certificate of its chain is not a CA',
};

/**
 * A line that says why a TLS connection failed, or undefined for errors that are not about
 * TLS. `caFile`: the --ca in use (the hint names it), or undefined for the system's CAs.
 */
export function describeTlsError(
  err: Error & { code?: string | number },
  caFile: string | undefined,
): string | undefined {
  const code = typeof err.code === 'string' ? err.code : '';
  const why = REFUSALS[code];
  if (why) {
    const trust = caFile
      ? `the CA in --ca ${caFile}`
      : "the system's CAs (no --ca)";
    const hint =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? 'use the host name the certificate was made for in --url'
        : code.startsWith('CERT_HAS') || code === 'CERT_NOT_YET_VALID'
          ? 'renew the certificate or set the clock'
          : `check that the server's certificate was signed by ${trust}`;
    return `TLS: refused the server's certificate: ${why} (${code}: ${err.message}) — ${hint}`;
  }
  if (
    code.startsWith('ERR_SSL_') ||
    /SSL routines|wrong version number/i.test(err.message)
  )
    return `TLS: handshake failed (${code || 'ssl'}: ${err.message}) — is the URL's port a TLS (mqtts://) port?`;
  return undefined;
}
