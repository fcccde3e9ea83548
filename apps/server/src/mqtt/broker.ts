import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import {
  parseUnitTopic,
  UNIT_PUBLISHES,
  UNIT_SUBSCRIBES,
} from '@keyway/protocol';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
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
}

/**
 * The embedded MQTT broker (aedes). Each unit authenticates with its own credentials and may
 * only publish status/acks/events and subscribe commands below `keyway/v1/units/{itsId}/`.
 */
export class EmbeddedBroker {
  private aedes?: Aedes;
  private server?: Server;
  private identities = new WeakMap<Client, Identity>();
  private connected = new Set<Client>();
  /**
   * Units are let in only once the server follows their reports (`openToUnits`): a unit that
   * came back while the server was still starting would say `resume` to nobody and wait for a
   * snapshot until its next reconnect. Before that they get "server unavailable" and retry.
   */
  private unitsWelcome = false;
  port = 0;

  constructor(private opts: EmbeddedBrokerOptions) {}

  /** The server now takes units' reports: let them connect. */
  openToUnits(): void {
    this.unitsWelcome = true;
  }

  async start(): Promise<void> {
    const { log } = this.opts;
    this.aedes = await Aedes.createBroker({
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
            if (id.kind === 'unit' && !this.unitsWelcome) {
              const err = new Error('Server starting') as AuthenticateError;
              (err as { returnCode: number }).returnCode = 3;
              return done(err, false);
            }
            this.identities.set(client, id);
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
    this.server = createServer({ noDelay: true }, this.aedes.handle);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port, this.opts.host, () => resolve());
    });
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : this.opts.port;
    log.info(
      { category: 'mqtt', port: this.port },
      `embedded MQTT broker on mqtt://${this.opts.host}:${this.port}`,
    );
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
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
