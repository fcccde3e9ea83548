import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import {
  createServer as createTlsServer,
  connect as tlsConnect,
} from 'node:tls';
import { SyncClient } from '@keyway/protocol';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ConfigError } from './config';
import { TestPki } from './test/certs';
import { createTestDatabase } from './test/db';
import { buildSpace, PHONES } from './test/fixtures';
import { expectStatus, httpsFetch, TestServer } from './test/harness';
import { ServerProcess } from './test/server-process';
import { UnitProcess, waitFor } from './test/unit-process';

// TLS to the units and HTTPS (issue 26 item 4), with a CA and certificates made at run time
// by Debian's openssl. One server serves both: mqtts:// for units, https:// and wss:// for
// phones. SQLite only: nothing here depends on the storage.

const pki = new TestPki('Keyway Test CA');
const serverCert = pki.issue('keyway-server', [
  'IP:127.0.0.1',
  'DNS:localhost',
]);
/** Another CA, with a certificate for the same names: what a unit with the wrong --ca meets. */
const otherPki = new TestPki('Some Other CA');

const tlsEnv = (cert = serverCert) => ({
  KEYWAY_TLS_CERT: cert.cert,
  KEYWAY_TLS_KEY: cert.key,
  KEYWAY_MQTT_TLS_CERT: cert.cert,
  KEYWAY_MQTT_TLS_KEY: cert.key,
});

/** The serial number of the certificate a TLS server on this port presents. */
function servedSerial(port: number, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, ca }, () => {
      const serial = s.getPeerCertificate().serialNumber;
      s.end();
      resolve(serial);
    });
    s.on('error', reject);
  });
}

describe('units on mqtts:// and the API on https://', () => {
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;
  const units: UnitProcess[] = [];
  const spawn = (
    credentials: { username: string; password: string; mqttUrl: string },
    extra: string[],
  ) => {
    const u = UnitProcess.spawn(credentials, extra);
    units.push(u);
    return u;
  };
  const newUnit = async (name: string) =>
    expectStatus(
      await t.request('POST', `/v1/spaces/${s.space.id}/units`, {
        token: s.owner,
        body: { name },
      }),
      201,
    );
  const online = async (unitId: string) =>
    (await t.request('GET', `/v1/units/${unitId}`, { token: s.owner })).body
      ?.unit?.online === true;
  const brokerPort = () => Number(new URL(t.server.mqttUrl).port);

  beforeAll(async () => {
    t = await TestServer.start({ env: tlsEnv(), ca: pki.ca.certPem });
    s = await buildSpace(t);
  });
  afterAll(async () => {
    await Promise.all(units.map((u) => u.kill()));
    await t?.stop();
  });

  it('hands units the mqtts:// URL, and serves the API on https://', () => {
    expect(t.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(s.credentials.mqttUrl).toBe(`mqtts://127.0.0.1:${brokerPort()}`);
    expect(t.server.mqttUrl).toBe(s.credentials.mqttUrl);
  });

  it('a unit with the right CA connects, and an admin opening over HTTPS pulses its relay ("opened")', async () => {
    const unit = spawn(s.credentials, ['--ca', pki.ca.cert]);
    await waitFor(() => online(s.unit.id), 'unit online over mqtts');
    const res = await t.request('POST', `/v1/doors/${s.door.id}/open`, {
      token: s.owner,
    });
    expect(res.status).toBe(200);
    expect(res.body.result).toBe('opened');
    await waitFor(
      () => /relay 1 pulsed 200 ms/.test(unit.output),
      'the relay pulsed',
    );
    expect(unit.output).toContain(`connected to ${s.credentials.mqttUrl}`);
    expect(unit.output).not.toMatch(/TLS: /);
  });

  it('a unit with the wrong CA refuses the server, says why, and never logs in', async () => {
    const made = await newUnit('Wrong CA unit');
    const unit = spawn(made.credentials, ['--ca', otherPki.ca.cert]);
    await waitFor(
      () => /TLS: refused the server's certificate/.test(unit.output),
      'the refusal in the unit log',
    );
    expect(unit.output).toMatch(
      /not signed by a CA this unit trusts \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/,
    );
    expect(unit.output).toContain(`--ca ${otherPki.ca.cert}`);
    // It keeps retrying (an installer may fix the server's certificate), and refuses each time.
    await waitFor(
      () =>
        (unit.output.match(/TLS: refused the server's certificate/g) ?? [])
          .length >= 2,
      'a second refusal',
    );
    expect(unit.output).not.toMatch(/connected to mqtts/);
    expect(await online(made.unit.id)).toBe(false);
  });

  it('without --ca the unit trusts only the system CAs, so a private CA is refused too', async () => {
    const made = await newUnit('No CA unit');
    const unit = spawn(made.credentials, []);
    await waitFor(
      () => /TLS: refused the server's certificate/.test(unit.output),
      'the refusal in the unit log',
    );
    expect(unit.output).toContain("the system's CAs (no --ca)");
    expect(await online(made.unit.id)).toBe(false);
  });

  it('checks the host name: a certificate of the right CA for another host is refused', async () => {
    const elsewhere = pki.issue('elsewhere', ['DNS:elsewhere.example']);
    let handshakes = 0;
    const impostor = createTlsServer(
      { cert: elsewhere.certPem, key: elsewhere.keyPem },
      (socket) => socket.destroy(),
    );
    impostor.on('tlsClientError', () => handshakes++);
    await new Promise<void>((r) => impostor.listen(0, '127.0.0.1', r));
    const port = (impostor.address() as { port: number }).port;
    try {
      const unit = spawn(
        { ...s.credentials, mqttUrl: `mqtts://127.0.0.1:${port}` },
        ['--ca', pki.ca.cert],
      );
      await waitFor(
        () => /ERR_TLS_CERT_ALTNAME_INVALID/.test(unit.output),
        'the host name refusal',
      );
      expect(unit.output).toContain("it does not name the URL's host");
      expect(handshakes).toBeGreaterThan(0);
      await unit.kill();
    } finally {
      await new Promise((r) => impostor.close(r));
    }
  });

  it('a plain mqtt:// client on the TLS port is refused, good credentials or not', async () => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${brokerPort()}`, {
      username: s.credentials.username,
      password: s.credentials.password,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    const outcome = await new Promise<string>((resolve) => {
      client.once('connect', () => resolve('connected'));
      client.once('close', () => resolve('closed'));
      client.once('error', (err) => resolve(`error: ${err.message}`));
    });
    client.end(true);
    expect(outcome).not.toBe('connected');
  });

  it('HTTPS: the right CA is trusted, another CA is not', async () => {
    const ok = await httpsFetch(`${t.url}/healthz`, pki.ca.certPem);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toEqual({ ok: true });
    await expect(
      httpsFetch(`${t.url}/healthz`, otherPki.ca.certPem),
    ).rejects.toMatchObject({
      code: expect.stringMatching(
        /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/,
      ),
    });
    // Plain http:// on the HTTPS port gets no API answer.
    const plain = await fetch(`${t.url.replace('https:', 'http:')}/healthz`)
      .then((r) => r.status)
      .catch(() => 'refused');
    expect(plain).not.toBe(200);
  });

  it('a phone syncs over wss:// and sees a change', async () => {
    const ca = pki.ca.certPem;
    await t.request('POST', `/v1/spaces/${s.space.id}/members`, {
      token: s.owner,
      body: { phone: PHONES.member, groupIds: [s.group.id] },
    });
    const token = await t.login(PHONES.member);
    /** `ws` with the test CA: what a phone gets from its system trust store. */
    class TrustingWebSocket extends WebSocket {
      constructor(url: string) {
        super(url, { ca });
      }
    }
    const phone = new SyncClient({
      url: `${t.url.replace(/^https/, 'wss')}/v1/sync`,
      token,
      WebSocketImpl: TrustingWebSocket,
    });
    const names = () =>
      [...phone.view.values()].map((v) => (v as { name?: string }).name);
    try {
      phone.start();
      await waitFor(() => phone.status === 'live', 'phone live over wss');
      expect(names()).toContain('Front gate');
      expectStatus(
        await t.request('PATCH', `/v1/doors/${s.door.id}`, {
          token: s.owner,
          body: { name: 'Front gate (north)' },
        }),
        200,
      );
      await waitFor(
        () => names().includes('Front gate (north)'),
        'the rename pushed over wss',
      );
    } finally {
      phone.stop();
    }
  });

  it('takes a renewed certificate on reload, on both ports, without a restart', async () => {
    const httpsPort = Number(new URL(t.url).port);
    const before = new X509Certificate(serverCert.certPem).serialNumber;
    expect(await servedSerial(httpsPort, pki.ca.certPem)).toBe(before);
    const renewed = pki.issue('keyway-server-renewed', [
      'IP:127.0.0.1',
      'DNS:localhost',
    ]);
    // The operator replaces the files in place, then sends SIGHUP (main.ts → reloadTls).
    writeFileSync(serverCert.cert, renewed.certPem);
    writeFileSync(serverCert.key, renewed.keyPem);
    await t.server.reloadTls();
    const after = new X509Certificate(renewed.certPem).serialNumber;
    expect(after).not.toBe(before);
    expect(await servedSerial(httpsPort, pki.ca.certPem)).toBe(after);
    expect(await servedSerial(brokerPort(), pki.ca.certPem)).toBe(after);
    // The unit still opens (new connections get the new certificate; its own keeps working).
    const res = await t.request('POST', `/v1/doors/${s.door.id}/open`, {
      token: s.owner,
    });
    expect(res.body.result).toBe('opened');

    // A broken renewal changes nothing: the previous certificate stays, the error names it.
    writeFileSync(serverCert.key, otherPki.ca.keyPem);
    await expect(t.server.reloadTls()).rejects.toThrow(
      /KEYWAY_(MQTT_)?TLS_KEY=.*does not belong to the certificate/,
    );
    expect(await servedSerial(httpsPort, pki.ca.certPem)).toBe(after);
    writeFileSync(serverCert.key, renewed.keyPem);
  });
});

describe('KEYWAY_MQTT_PLAIN_PORT keeps plain mqtt:// open beside TLS, when asked', () => {
  it('a plain client logs in on that port, and the TLS port stays TLS only', async () => {
    // A free port: taken, then released for the server.
    const probe = createNetServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const plainPort = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const t = await TestServer.start({
      env: { ...tlsEnv(), KEYWAY_MQTT_PLAIN_PORT: String(plainPort) },
      ca: pki.ca.certPem,
    });
    try {
      const s = await buildSpace(t);
      expect(s.credentials.mqttUrl).toMatch(/^mqtts:/);
      const attempt = (url: string) => {
        const client = mqtt.connect(url, {
          username: s.credentials.username,
          password: s.credentials.password,
          clientId: `unit-${s.credentials.username}`,
          reconnectPeriod: 0,
          connectTimeout: 5000,
        });
        return new Promise<string>((resolve) => {
          client.once('connect', () => resolve('connected'));
          client.once('close', () => resolve('closed'));
        }).finally(() => client.end(true));
      };
      expect(await attempt(`mqtt://127.0.0.1:${plainPort}`)).toBe('connected');
      const tlsPort = new URL(s.credentials.mqttUrl).port;
      expect(await attempt(`mqtt://127.0.0.1:${tlsPort}`)).toBe('closed');
    } finally {
      await t.stop();
    }
  });
});

describe('bad TLS files stop the start, naming the setting', () => {
  const attempt = async (env: Record<string, string>) => {
    const db = await createTestDatabase();
    try {
      const t = await TestServer.start({ db, env });
      await t.stop();
      return 'started';
    } catch (err) {
      return err;
    } finally {
      await db.drop();
    }
  };
  const cert = pki.issue('startup', ['IP:127.0.0.1']);
  const stranger = pki.issue('stranger', ['IP:127.0.0.1']);

  it('an unreadable certificate file', async () => {
    const err = await attempt({
      KEYWAY_MQTT_TLS_CERT: join(pki.dir, 'missing.crt'),
      KEYWAY_MQTT_TLS_KEY: cert.key,
    });
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      `KEYWAY_MQTT_TLS_CERT=${join(pki.dir, 'missing.crt')}: cannot read the file (ENOENT)`,
    ]);
  });

  it('a key of another certificate, for the broker and for HTTPS', async () => {
    const err = await attempt({
      KEYWAY_MQTT_TLS_CERT: cert.cert,
      KEYWAY_MQTT_TLS_KEY: stranger.key,
      KEYWAY_TLS_CERT: cert.cert,
      KEYWAY_TLS_KEY: stranger.key,
    });
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      `KEYWAY_TLS_KEY=${stranger.key}: this key does not belong to the certificate in KEYWAY_TLS_CERT=${cert.cert}`,
      `KEYWAY_MQTT_TLS_KEY=${stranger.key}: this key does not belong to the certificate in KEYWAY_MQTT_TLS_CERT=${cert.cert}`,
    ]);
    // Never the key itself.
    expect(String(err)).not.toContain('PRIVATE KEY');
  });

  it('a file that is no certificate, and a key that is no key', async () => {
    const err = await attempt({
      KEYWAY_TLS_CERT: cert.key,
      KEYWAY_TLS_KEY: cert.key,
      KEYWAY_MQTT_TLS_CERT: cert.cert,
      KEYWAY_MQTT_TLS_KEY: cert.cert,
    });
    expect((err as ConfigError).problems).toEqual([
      `KEYWAY_TLS_CERT=${cert.key}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)`,
      `KEYWAY_MQTT_TLS_KEY=${cert.cert}: not a PEM private key (expected -----BEGIN PRIVATE KEY-----)`,
    ]);
  });
});

describe('npm run serve with TLS', () => {
  afterAll(() => ServerProcess.killAll());

  it('reloads renewed files on SIGHUP, and keeps the old certificate when the renewal is broken', async () => {
    const db = await createTestDatabase();
    const first = pki.issue('process', ['IP:127.0.0.1']);
    try {
      const sp = await ServerProcess.start({
        dataDir: db.dataDir,
        outbox: join(db.dataDir, 'sms.jsonl'),
        env: { ...tlsEnv(first), KEYWAY_HOST: '127.0.0.1' },
      });
      expect(sp.url).toMatch(/^https:/);
      const port = Number(new URL(sp.url).port);
      const serial = (c: { certPem: Buffer }) =>
        new X509Certificate(c.certPem).serialNumber;
      expect(await servedSerial(port, pki.ca.certPem)).toBe(serial(first));
      expect(await servedSerial(sp.mqttPort, pki.ca.certPem)).toBe(
        serial(first),
      );

      const renewed = pki.issue('process-renewed', ['IP:127.0.0.1']);
      writeFileSync(first.cert, renewed.certPem);
      writeFileSync(first.key, renewed.keyPem);
      sp.child.kill('SIGHUP');
      // Both listeners, each in its own time (a loaded machine may take a while).
      await waitFor(
        async () =>
          (await servedSerial(sp.mqttPort, pki.ca.certPem)) ===
            serial(renewed) &&
          (await servedSerial(port, pki.ca.certPem)) === serial(renewed),
        'the renewed certificate on the broker and the API',
        60_000,
      );
      await waitFor(
        () => sp.output.includes('TLS reloaded KEYWAY_MQTT_TLS_CERT='),
        'the reload in the log',
        30_000,
      );

      writeFileSync(first.key, 'not a key\n');
      sp.child.kill('SIGHUP');
      await waitFor(
        () => sp.output.includes('TLS reload failed'),
        'the failed reload in the log',
        30_000,
      );
      expect(sp.alive).toBe(true);
      expect(await servedSerial(port, pki.ca.certPem)).toBe(serial(renewed));
      await sp.kill('SIGTERM');
    } finally {
      await db.drop();
    }
  }, 120_000);

  it('exits 2 naming the setting when the key is not the certificate’s', async () => {
    const db = await createTestDatabase();
    const cert = pki.issue('process-bad', ['IP:127.0.0.1']);
    const other = pki.issue('process-other', ['IP:127.0.0.1']);
    try {
      const err = await ServerProcess.start({
        dataDir: db.dataDir,
        outbox: join(db.dataDir, 'sms.jsonl'),
        env: {
          KEYWAY_MQTT_TLS_CERT: cert.cert,
          KEYWAY_MQTT_TLS_KEY: other.key,
        },
      }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toContain(
        'server exited (2) before ready',
      );
      expect((err as Error).message).toContain(
        `KEYWAY_MQTT_TLS_KEY=${other.key}: this key does not belong to the certificate in KEYWAY_MQTT_TLS_CERT=${cert.cert}`,
      );
    } finally {
      await db.drop();
    }
  });
});
