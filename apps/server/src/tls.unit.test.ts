import { describe, expect, it } from 'vitest';
import { TestPki } from './test/certs';
import { certificateWarnings, loadTlsPair, TLS_SETTINGS } from './tls';

describe('certificate warnings', () => {
  const pki = new TestPki();
  const made = pki.issue(
    'warn',
    ['DNS:keyway.example.com', 'IP:192.0.2.10'],
    90,
  );
  const pair = loadTlsPair(TLS_SETTINGS.mqtt, made);
  const validTo = Date.parse(pair.leaf.validTo);
  const day = 86_400_000;
  const warn = (url: string | undefined, now: number) =>
    certificateWarnings(pair, url, 'KEYWAY_MQTT_PUBLIC_URL', now);

  it('says nothing for a certificate that names the URL host and has months left', () => {
    const now = validTo - 60 * day;
    expect(warn('mqtts://keyway.example.com:8483', now)).toEqual([]);
    expect(warn('mqtts://192.0.2.10:8483', now)).toEqual([]);
    expect(warn(undefined, now)).toEqual([]);
    // A plain URL has no certificate to check (a TLS proxy in front, say).
    expect(warn('mqtt://127.0.0.1:8483', now)).toEqual([]);
  });

  it('names a host the certificate does not, and where to set the URL', () => {
    expect(warn('mqtts://0.0.0.0:8483', validTo - 60 * day)).toEqual([
      expect.stringMatching(
        /does not name 0\.0\.0\.0 .*DNS:keyway\.example\.com.*set KEYWAY_MQTT_PUBLIC_URL/,
      ),
    ]);
  });

  it('warns 14 days before the end, and after it', () => {
    expect(warn(undefined, validTo - 15 * day)).toEqual([]);
    expect(warn(undefined, validTo - 13.5 * day)).toEqual([
      expect.stringContaining('the certificate expires in 13 days'),
    ]);
    expect(warn(undefined, validTo - 1.5 * day)).toEqual([
      expect.stringContaining('expires in 1 day ('),
    ]);
    expect(warn(undefined, validTo + day)).toEqual([
      `KEYWAY_MQTT_TLS_CERT=${made.cert}: the certificate expired on ${pair.leaf.validTo}; clients refuse it`,
    ]);
  });
});
