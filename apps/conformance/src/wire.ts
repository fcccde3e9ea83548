import { unitTopics } from '@keyway/protocol';
import mqtt, { type MqttClient } from 'mqtt';

/** One message the unit published, as the kit's server-side subscription received it. */
export interface Heard {
  topic: string;
  /** The topic below the unit's prefix: `status`, `acks`, `acks/kit`, `events`, `applied`. */
  kind: string;
  text: string;
  json: unknown;
  qos: number;
  /** Position in everything heard (a total order). */
  seq: number;
  at: number;
}

/**
 * The kit's side of the broker, logged in as the server: it publishes on the unit's `commands`
 * and `sync` as a Keyway server does, and hears everything the unit publishes.
 */
export class Wire {
  readonly heard: Heard[] = [];
  private waiters = new Set<() => void>();
  private constructor(
    private client: MqttClient,
    readonly unitId: string,
    private url: string,
    private login: { username: string; password: string },
  ) {}

  static async connect(
    url: string,
    login: { username: string; password: string },
    unitId: string,
  ): Promise<Wire> {
    const client = await connect(url, login, `kit-server-${process.pid}`);
    const wire = new Wire(client, unitId, url, login);
    const base = `${unitTopics(unitId).base}/`;
    client.on('message', (topic, payload, packet) => {
      if (!topic.startsWith(base) || packet.retain) return;
      const text = payload.toString();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      wire.heard.push({
        topic,
        kind: topic.slice(base.length),
        text,
        json,
        qos: packet.qos,
        seq: wire.heard.length,
        at: Date.now(),
      });
      for (const w of wire.waiters) w();
    });
    await client.subscribeAsync(`${base}#`, { qos: 1 });
    return wire;
  }

  get topics() {
    return unitTopics(this.unitId);
  }

  publish(kind: 'commands' | 'sync', payload: unknown): Promise<void> {
    const text =
      typeof payload === 'string' ? payload : JSON.stringify(payload);
    // What a Keyway server does: commands at QoS 1, sync at QoS 0 (§3).
    return this.client
      .publishAsync(this.topics[kind], text, {
        qos: kind === 'commands' ? 1 : 0,
      })
      .then(() => undefined);
  }

  /** The first message heard from `from` on that matches, or null after `timeoutMs`. */
  waitFor(
    match: (h: Heard) => boolean,
    timeoutMs: number,
    from = 0,
  ): Promise<Heard | null> {
    return new Promise((resolve) => {
      const check = () => {
        const found = this.heard.slice(from).find(match);
        if (!found) return false;
        done(found);
        return true;
      };
      const done = (h: Heard | null) => {
        clearTimeout(timer);
        this.waiters.delete(onHeard);
        resolve(h);
      };
      const onHeard = () => void check();
      const timer = setTimeout(() => done(null), timeoutMs);
      this.waiters.add(onHeard);
      check();
    });
  }

  /** Everything heard from `from` on that matches, after waiting `ms` for more. */
  async collect(
    match: (h: Heard) => boolean,
    ms: number,
    from = 0,
  ): Promise<Heard[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.heard.slice(from).filter(match);
  }

  get mark(): number {
    return this.heard.length;
  }

  /** The retained `status`, as a server that starts now would read it. */
  async retainedStatus(): Promise<{ json: unknown; qos: number } | null> {
    const client = await connect(
      this.url,
      this.login,
      `kit-retained-${process.pid}-${Date.now()}`,
    );
    try {
      const got = new Promise<{ json: unknown; qos: number } | null>(
        (resolve) => {
          const timer = setTimeout(() => resolve(null), 1000);
          client.on('message', (_t, payload, packet) => {
            clearTimeout(timer);
            let json: unknown;
            try {
              json = JSON.parse(payload.toString());
            } catch {
              json = payload.toString();
            }
            resolve(packet.retain ? { json, qos: packet.qos } : null);
          });
        },
      );
      await client.subscribeAsync(this.topics.status, { qos: 1 });
      return await got;
    } finally {
      await client.endAsync();
    }
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}

async function connect(
  url: string,
  login: { username: string; password: string },
  clientId: string,
): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    clientId,
    username: login.username,
    password: login.password,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
}
