import { randomBytes } from 'node:crypto';
import type { Aedes, Client, Subscription } from 'aedes';
import pino from 'pino';
import { EmbeddedBroker } from '../../server/src/mqtt/broker';
import { hashSecret } from '../../server/src/mqtt/secrets';

/** What the broker saw of one unit connection: the CONNECT and its SUBSCRIBEs, in order. */
export interface SeenConnect {
  clientId: string;
  clean: boolean;
  keepalive: number;
  protocolVersion: number;
  will: { topic: string; payload: string; qos: number; retain: boolean } | null;
  /** Broker-side order of this connection's packets: `subscribe:<topic>@<qos>`, `publish:<topic>`. */
  order: string[];
}

/**
 * A disposable broker: the server's own embedded broker (same logins, topic permissions,
 * client-id rule and last will), with this one unit and the kit as its server side.
 */
export class DisposableBroker {
  readonly connects: SeenConnect[] = [];
  /** Logins of the unit so far; before `welcome()` each is refused with CONNACK 3. */
  attempts = 0;
  /** Logins refused because the kit had not welcomed units yet. */
  refused = 0;
  /** While true, the unit's logins are refused as bad credentials (CONNACK 4). */
  refuseLogins = false;
  /** Logins refused that way. */
  badRefused = 0;
  private welcomed = false;
  private constructor(
    readonly broker: EmbeddedBroker,
    readonly credentials: { username: string; password: string },
    readonly server: { username: string; password: string },
  ) {}

  static async start(opts: {
    host: string;
    port: number;
    username?: string | undefined;
    password?: string | undefined;
  }): Promise<DisposableBroker> {
    const credentials = {
      username: opts.username ?? `unit_kit${randomBytes(6).toString('hex')}`,
      password: opts.password ?? randomBytes(18).toString('base64url'),
    };
    const server = {
      username: 'keyway-conformance',
      password: randomBytes(18).toString('base64url'),
    };
    const unitHash = hashSecret(credentials.password);
    let kit: DisposableBroker | undefined;
    const broker = new EmbeddedBroker({
      host: opts.host,
      port: opts.port,
      log: pino({ level: 'silent' }),
      serverUsername: server.username,
      serverPassword: server.password,
      unitPasswordHash: async (id) => {
        if (id !== credentials.username) return null;
        if (kit) {
          kit.attempts++;
          if (!kit.welcomed) kit.refused++;
          if (kit.refuseLogins) {
            kit.badRefused++;
            return null; // CONNACK 4, as for a password being reset
          }
        }
        return unitHash;
      },
    });
    await broker.start();
    kit = new DisposableBroker(broker, credentials, server);
    kit.watch();
    return kit;
  }

  /**
   * From now on the unit gets in. Until then the broker answers CONNACK 3 (server unavailable),
   * as a Keyway server's does while it starts (§2): a unit must keep retrying.
   */
  welcome(): void {
    this.welcomed = true;
    this.broker.openToUnits();
  }

  /** The URL to give the unit (and the kit's own server-side connection). */
  get url(): string {
    return this.broker.linkUrl;
  }

  private get aedes(): Aedes {
    return (this.broker as unknown as { aedes: Aedes }).aedes;
  }

  private watch() {
    const unitClient = `unit-${this.credentials.username}`;
    const current = new WeakMap<Client, SeenConnect>();
    this.aedes.on('client', (client: Client) => {
      if (client.id === undefined || client.id.startsWith('kit-')) return;
      const c = client as Client & {
        clean: boolean;
        version: number;
        _keepaliveInterval?: number;
        will?: {
          topic: string;
          payload: Buffer;
          qos: number;
          retain: boolean;
        } | null;
      };
      const seen: SeenConnect = {
        clientId: client.id,
        clean: c.clean,
        keepalive: c._keepaliveInterval
          ? Math.round((c._keepaliveInterval - 1) / 1500)
          : 0,
        protocolVersion: c.version,
        will: c.will
          ? {
              topic: c.will.topic,
              payload: Buffer.from(c.will.payload).toString(),
              qos: c.will.qos,
              retain: c.will.retain,
            }
          : null,
        order: [],
      };
      if (client.id === unitClient) {
        current.set(client, seen);
        this.connects.push(seen);
      }
    });
    this.aedes.on('subscribe', (subs: Subscription[], client: Client) => {
      const seen = current.get(client);
      for (const s of subs) seen?.order.push(`subscribe:${s.topic}@${s.qos}`);
    });
    this.aedes.on('publish', (packet, client) => {
      const seen = client ? current.get(client) : undefined;
      seen?.order.push(`publish:${packet.topic}`);
    });
  }

  /** Cuts the unit's TCP connection without a DISCONNECT: its will must follow. */
  dropUnit(): boolean {
    const clients = (
      this.aedes as unknown as { clients: Record<string, Client> }
    ).clients;
    const client = clients[`unit-${this.credentials.username}`];
    if (!client) return false;
    (client as unknown as { conn: { destroy(): void } }).conn.destroy();
    return true;
  }

  stop(): Promise<void> {
    return this.broker.stop();
  }
}
