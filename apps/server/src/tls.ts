import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { Config } from './config';
import { ConfigError } from './config';

/** A certificate (chain) and its private key, read from the files the settings name. */
export interface TlsPair {
  cert: Buffer;
  key: Buffer;
  /** The leaf certificate (the first in the file): names, validity, serial. */
  leaf: X509Certificate;
  /** Where it came from, for log lines: `KEYWAY_TLS_CERT=/etc/keyway/cert.pem`. */
  source: string;
}

/** The two places Keyway serves TLS itself, each from a certificate setting and a key setting. */
export const TLS_SETTINGS = {
  https: { cert: 'KEYWAY_TLS_CERT', key: 'KEYWAY_TLS_KEY' },
  mqtt: { cert: 'KEYWAY_MQTT_TLS_CERT', key: 'KEYWAY_MQTT_TLS_KEY' },
} as const;

function read(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError([
      `${setting}=${path}: cannot read the file (${e.code ?? e.message})`,
    ]);
  }
}

/**
 * Reads and checks one pair: the certificate file is PEM (a chain is fine, the server's own
 * certificate first), the key file is an unencrypted PEM private key, and the key is the
 * certificate's. Every problem is a ConfigError naming the setting (never the key's contents).
 */
export function loadTlsPair(
  settings: { cert: string; key: string },
  paths: { cert: string; key: string },
): TlsPair {
  const cert = read(settings.cert, paths.cert);
  const key = read(settings.key, paths.key);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw new ConfigError([
      `${settings.cert}=${paths.cert}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)`,
    ]);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    const encrypted = /passphrase|encrypted/i.test((err as Error).message);
    throw new ConfigError([
      `${settings.key}=${paths.key}: ${encrypted ? 'an encrypted private key (decrypt it: openssl pkey -in KEY -out KEY.plain)' : 'not a PEM private key (expected -----BEGIN PRIVATE KEY-----)'}`,
    ]);
  }
  if (!leaf.checkPrivateKey(privateKey))
    throw new ConfigError([
      `${settings.key}=${paths.key}: this key does not belong to the certificate in ${settings.cert}=${paths.cert}`,
    ]);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError([
      `${settings.cert}=${paths.cert}: unusable with its key (${(err as Error).message})`,
    ]);
  }
  return { cert, key, leaf, source: `${settings.cert}=${paths.cert}` };
}

/** The pairs the configuration asks for: HTTPS and the embedded broker's mqtts://. */
export function loadTls(config: Config): {
  https?: TlsPair | undefined;
  mqtt?: TlsPair | undefined;
} {
  const problems: string[] = [];
  const attempt = (
    settings: { cert: string; key: string },
    cert: string | undefined,
    key: string | undefined,
  ) => {
    if (!cert || !key) return undefined;
    try {
      return loadTlsPair(settings, { cert, key });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  };
  const https = attempt(TLS_SETTINGS.https, config.tlsCert, config.tlsKey);
  const mqtt = attempt(
    TLS_SETTINGS.mqtt,
    config.mqttTlsCert,
    config.mqttTlsKey,
  );
  if (problems.length) throw new ConfigError(problems);
  return { https, mqtt };
}

/**
 * What an operator should hear about a certificate at start and at each reload: it has
 * expired, expires soon, or does not name the host of `url`, the one clients are told to use
 * (they verify it and would refuse). `urlSetting` is where that URL is set.
 */
export function certificateWarnings(
  pair: TlsPair | undefined,
  url: string | undefined,
  urlSetting: string,
  now = Date.now(),
): string[] {
  if (!pair) return [];
  const out: string[] = [];
  const days = Math.floor((Date.parse(pair.leaf.validTo) - now) / 86_400_000);
  if (days < 0)
    out.push(
      `${pair.source}: the certificate expired on ${pair.leaf.validTo}; clients refuse it`,
    );
  else if (days < 14)
    out.push(
      `${pair.source}: the certificate expires in ${days === 1 ? '1 day' : `${days} days`} (${pair.leaf.validTo}); renew it and send SIGHUP`,
    );
  if (Date.parse(pair.leaf.validFrom) > now)
    out.push(
      `${pair.source}: the certificate is not valid before ${pair.leaf.validFrom}`,
    );
  const u = url ? new URL(url) : undefined;
  const host =
    u && (u.protocol === 'mqtts:' || u.protocol === 'https:')
      ? u.hostname
      : undefined;
  if (host && !certificateNames(pair, host))
    out.push(
      `${pair.source}: the certificate does not name ${host} (it names ${pair.leaf.subjectAltName ?? pair.leaf.subject}), so clients given ${url} refuse it; set ${urlSetting} to a URL with one of its names`,
    );
  return out;
}

/** Whether the certificate is valid for `host` (a DNS name or an IP address), as a client checks. */
export function certificateNames(pair: TlsPair, host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return isIP(h)
    ? pair.leaf.checkIP(h) !== undefined
    : pair.leaf.checkHost(h) !== undefined;
}
