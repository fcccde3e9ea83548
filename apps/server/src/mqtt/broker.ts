import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import {
  createServer as createTlsServer,
  type Server as TlsServer,
} from 'node:tls';
import {
  parseUnitTopic,
  UNIT_PUBLISHES,
  UNIT_SUBSCRIBES,
} from '@keyway/protocol';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { indexedMemoryPersistence } from './retained-index';
import { hashSecret } from './secrets';

/** Who a broker connection is: one unit, or the server itself. */
type Identity = { kind: 'server' } | { kind: 'unit'; unitId: string };

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  log: Logger;
  /** The server's own client logs in with these. */
  serverUsername: string;
  serverPassword: string;
  /** The stored hash of a unit's password, or null when no such unit exists. */
  unitPasswordHash: (unitId: string) => Promise<string | null>;
  /**
   * mqtts:// on host:port with this certificate and key; plain mqtt:// is then only on
   * `plainPort` of host when given, else on a loopback-only port for the server's own link.
   */
  tls?: { cert: Buffer; key: Buffer } | undefined;
  plainPort?: number | undefined;
}

/** A TLS handshake this slow is dropped (default 120 s: a cheap way to hold sockets open). */
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * The embedded MQTT broker (aedes). Each unit authenticates with its own credentials and may
 * only publish status/acks/events and subscribe commands below `keyway/v1/units/{itsId}/`.
 */
export class EmbeddedBroker {
  private aedes?: Aedes;
  private server?: Server | TlsServer;
  /** With TLS: the plain listener (loopback-only unless KEYWAY_MQTT_PLAIN_PORT). */
  private plain?: Server;
  private identities = new WeakMap<Client, Identity>();
  private connected = new Set<Client>();
  /** Connections another with the same client id is taking over. */
  private replaced = new WeakSet<Client>();
  /**
   * Units are let in only once the server follows their reports (`openToUnits`): a unit that
   * came back while the server was still starting would say `resume` to nobody and wait for a
   * snapshot until its next reconnect. Before that they get "server unavailable" and retry.
   */
  private unitsWelcome = false;
  /** The port units connect to (mqtts:// with TLS). */
  port = 0;
  /** Where the server's own client connects: plain, on this host (loopback-only with TLS). */
  linkUrl = '';

  constructor(private opts: EmbeddedBrokerOptions) {}

  /** The server now takes units' reports: let them connect. */
  openToUnits(): void {
    this.unitsWelcome = true;
  }

  async start(): Promise<void> {
    const { log } = this.opts;
    this.aedes = await Aedes.createBroker({
      persistence: indexedMemoryPersistence(),
      authenticate: (client, username, password, done) => {
        this.identify(username, password)
          .then((id) => {
            if (!id) {
              log.warn(
                { category: 'mqtt', clientId: client.id, username },
                'unit login refused: bad username or password',
              );
              const err = new Error(
                'Bad username or password',
              ) as AuthenticateError;
              (err as { returnCode: number }).returnCode = 4;
              return done(err, false);
            }
            if (id.kind === 'unit' && client.id !== `unit-${id.unitId}`) {
              // §2: a unit's client id is `unit-{unitId}`, so a second agent with the same
              // credentials takes the session over instead of running beside the first.
              log.warn(
                { category: 'mqtt', clientId: client.id, unitId: id.unitId },
                `unit login refused: client id must be unit-${id.unitId}`,
              );
              const err = new Error('Not authorized') as AuthenticateError;
              (err as { returnCode: number }).returnCode = 5;
              return done(err, false);
            }
            if (id.kind === 'unit' && !this.unitsWelcome) {
              const err = new Error('Server starting') as AuthenticateError;
              (err as { returnCode: number }).returnCode = 3;
              return done(err, false);
            }
            this.identities.set(client, id);
            // Same client id: aedes closes the connection it replaces (MQTT-3.1.4-2) and would
            // publish its will, an {"online":false} the server logs as an offline blip just
            // before the new connection's online. The unit never went offline: no will.
            const old = (
              this.aedes as unknown as { clients?: Record<string, Client> }
            )?.clients?.[client.id];
            if (old && old !== client) this.replaced.add(old);
            done(null, true);
          })
          .catch((err) => {
            log.error({ category: 'mqtt', err }, 'unit login failed');
            const e = new Error('Server unavailable') as AuthenticateError;
            (e as { returnCode: number }).returnCode = 3;
            done(e, false);
          });
      },
      authorizePublish: (client, packet, done) => {
        if (!client) return done(null); // the broker's own publishes
        // A connection being taken over: its will (and anything else) goes nowhere.
        if (this.replaced.has(client)) return done(new Error('taken over'));
        const id = this.identities.get(client);
        if (id?.kind === 'server') return done(null);
        const t = parseUnitTopic(packet.topic);
        if (
          id?.kind === 'unit' &&
          t &&
          t.unitId === id.unitId &&
          UNIT_PUBLISHES.includes(t.kind)
        )
          return done(null);
        log.warn(
          {
            category: 'mqtt',
            unitId: id?.kind === 'unit' ? id.unitId : null,
            topic: packet.topic,
          },
          'publish refused: foreign topic',
        );
        done(new Error('publish not allowed'));
      },
      authorizeSubscribe: (client, sub, done) => {
        const id = this.identities.get(client);
        if (id?.kind === 'server') return done(null, sub);
        const t = parseUnitTopic(sub.topic);
        if (
          id?.kind === 'unit' &&
          t &&
          t.unitId === id.unitId &&
          UNIT_SUBSCRIBES.includes(t.kind)
        )
          return done(null, sub);
        log.warn(
          {
            category: 'mqtt',
            unitId: id?.kind === 'unit' ? id.unitId : null,
            topic: sub.topic,
          },
          'subscribe refused: foreign topic',
        );
        done(null, null); // SUBACK 0x80: refused
      },
    });
    this.aedes.on('client', (client) => this.connected.add(client));
    this.aedes.on('clientDisconnect', (client) =>
      this.connected.delete(client),
    );
    this.aedes.on('clientError', (client, err) =>
      log.debug(
        { category: 'mqtt', clientId: client.id, err: err.message },
        'client error',
      ),
    );
    // No Nagle: a command or an ack is one small packet that must leave now (Nagle plus delayed
    // ACKs added 40–80 ms to every open).
    const { host, tls } = this.opts;
    if (tls) {
      const server = createTlsServer(
        {
          cert: tls.cert,
          key: tls.key,
          handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
        },
        (socket) => {
          socket.setNoDelay(true);
          this.aedes!.handle(socket);
        },
      );
      // A unit with the wrong CA, a plain mqtt:// client, a scanner: the handshake fails and
      // the socket is closed before any MQTT byte is read.
      server.on('tlsClientError', (err, socket) =>
        log.info(
          {
            category: 'mqtt',
            remote: socket.remoteAddress,
            err: err.message.trim(),
          },
          `TLS handshake refused: ${handshakeFailure(err)}`,
        ),
      );
      this.server = server;
    } else {
      this.server = createServer({ noDelay: true }, this.aedes.handle);
    }
    this.port = await listen(this.server, this.opts.port, host);
    const scheme = tls ? 'mqtts' : 'mqtt';
    log.info(
      { category: 'mqtt', port: this.port, tls: Boolean(tls) },
      `embedded MQTT broker on ${scheme}://${host}:${this.port}`,
    );
    if (!tls) {
      this.linkUrl = `mqtt://${host}:${this.port}`;
      return;
    }
    // The server's own connection (retained presence) stays plain: on loopback nobody but this
    // host sees it. Units get plain only when KEYWAY_MQTT_PLAIN_PORT explicitly keeps it.
    const plainHost = this.opts.plainPort === undefined ? '127.0.0.1' : host;
    this.plain = createServer({ noDelay: true }, this.aedes.handle);
    const plainPort = await listen(
      this.plain,
      this.opts.plainPort ?? 0,
      plainHost,
    );
    this.linkUrl = `mqtt://${plainHost}:${plainPort}`;
    if (this.opts.plainPort === undefined)
      log.debug(
        { category: 'mqtt', plainPort },
        `plain mqtt:// only on loopback ${this.linkUrl}, for the server itself`,
      );
    else
      log.warn(
        { category: 'mqtt', plainPort },
        `plain mqtt:// also open on ${this.linkUrl} (KEYWAY_MQTT_PLAIN_PORT): unit passwords and commands cross it unencrypted`,
      );
  }

  /** The broker's TLS listener takes a renewed certificate: new connections get it. */
  setSecureContext(tls: { cert: Buffer; key: Buffer }): void {
    const server = this.server;
    if (!server || !('setSecureContext' in server))
      throw new Error('the broker does not listen with TLS');
    server.setSecureContext({ cert: tls.cert, key: tls.key });
  }

  private async identify(
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<Identity | null> {
    if (!username || !password) return null;
    if (username === this.opts.serverUsername) {
      return safeEqual(
        hashSecret(password.toString()),
        hashSecret(this.opts.serverPassword),
      )
        ? { kind: 'server' }
        : null;
    }
    const stored = await this.opts.unitPasswordHash(username);
    if (!stored) return null;
    return safeEqual(hashSecret(password.toString()), stored)
      ? { kind: 'unit', unitId: username }
      : null;
  }

  /**
   * Publishes straight into the broker (not retained): what the server sends units — commands
   * and sync updates — skips a loopback connection, its encoding and parsing.
   */
  publish(topic: string, payload: string | Buffer, qos: 0 | 1): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return Promise.reject(new Error('broker not started'));
    return new Promise((resolve, reject) =>
      aedes.publish(
        {
          cmd: 'publish',
          topic,
          payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
          qos,
          retain: false,
          dup: false,
        },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }

  /**
   * Hears what units publish on `topic` straight from the broker (no loopback connection).
   * Retained messages are not replayed here: the server's own connection subscribes for those.
   */
  subscribe(
    topic: string,
    handler: (topic: string, payload: Buffer) => void,
  ): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return Promise.reject(new Error('broker not started'));
    return new Promise((resolve) =>
      aedes.subscribe(
        topic,
        (packet, done) => {
          try {
            handler(packet.topic, packet.payload as Buffer);
          } catch (err) {
            this.opts.log.error(
              { category: 'mqtt', topic: packet.topic, err },
              'unit message handler failed',
            );
          } finally {
            // Not synchronously: the emitter would hand over the next queued message inside
            // this call, and thousands queued (units answering a change) overflow the stack.
            queueMicrotask(done);
          }
        },
        () => resolve(),
      ),
    );
  }

  /** Disconnects one unit (after its deletion or credential reset). */
  kick(unitId: string): void {
    for (const client of this.connected) {
      const id = this.identities.get(client);
      if (id?.kind === 'unit' && id.unitId === unitId) client.close();
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    const aedes = this.aedes;
    if (!aedes || !server) return;
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await Promise.all(
      [server, this.plain].map(
        (s) => s && new Promise<void>((resolve) => s.close(() => resolve())),
      ),
    );
  }
}

/** What a failed handshake most likely was, for the operator reading the log. */
function handshakeFailure(err: Error & { code?: string }): string {
  if (/wrong version number|http request|unknown protocol/i.test(err.message))
    return 'not TLS (a plain mqtt:// client on the mqtts:// port?)';
  if (err.code === 'ECONNRESET' || /socket hang up/i.test(err.message))
    return "the client gave up (does it trust this certificate? see the unit's log)";
  if (/timed out|timeout/i.test(err.message)) return 'too slow';
  return err.message.trim();
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
