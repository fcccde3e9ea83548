import { UNIT_TOPICS } from '@keyway/protocol';
import { connect, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { type BackoffOptions, backoffDelay } from './backoff';
import { describeTlsError } from './tls';

export interface LinkOptions {
  url: string;
  /** mqtts://: trust only this CA (the system's CAs without it). Verification is never off. */
  ca?: { pem: Buffer; file: string } | undefined;
  clientId: string;
  username: string;
  password: string;
  will: { topic: string; payload: string };
  keepaliveSec: number;
  backoff: BackoffOptions;
  log: Logger;
  /** Called after every successful CONNACK, with that connection's number. */
  onConnect: (session: number) => void | Promise<void>;
  onMessage: (topic: string, payload: Buffer) => void;
}

export interface Link {
  start(): void;
  /** Publishes `farewell` if online, then disconnects cleanly (no last will) and stops retrying. */
  stop(farewell?: { topic: string; payload: string }): Promise<void>;
  /** The current connection's number, or null while offline. */
  session(): number | null;
  /** At QoS 1 unless `qos: 0`; rejects while offline (nothing is queued for the next connection). */
  publish(
    topic: string,
    payload: string,
    opts: { retain?: boolean; qos?: 0 | 1 },
  ): Promise<void>;
  /** Subscribes at QoS 1; resolves with the topics the broker refused (SUBACK failure). */
  subscribe(topics: string[]): Promise<string[]>;
}

const STOP_TIMEOUT_MS = 2000;

/**
 * One MQTT connection that is retried forever with capped exponential backoff — including when
 * the first attempt is refused. mqtt.js only knows a fixed reconnectPeriod, so each attempt is a
 * fresh client with reconnectPeriod 0, and no state survives from one connection to the next.
 */
export function createLink(opts: LinkOptions): Link {
  const { log } = opts;
  let client: MqttClient | undefined;
  let session: number | null = null;
  let sessions = 0;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let stopping = false;

  const attempt = () => {
    retryTimer = undefined;
    log.info({ attempt: failures + 1 }, `connecting to ${opts.url}`);
    const c = connect(opts.url, {
      clientId: opts.clientId,
      username: opts.username,
      password: opts.password,
      // Commands are short-lived: one missed while offline has expired anyway.
      clean: true,
      keepalive: opts.keepaliveSec,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      // mqtts://: Node verifies the chain and the host name (mqtt.js sets servername from the
      // URL); only the trust anchors change with --ca.
      ...(opts.ca ? { ca: opts.ca.pem } : {}),
      will: {
        topic: opts.will.topic,
        payload: Buffer.from(opts.will.payload),
        // The will is a status message (protocol UNIT_TOPICS.status).
        qos: UNIT_TOPICS.status.qos,
        retain: UNIT_TOPICS.status.retain,
      },
    });
    client = c;
    c.on('connect', () => {
      // Acks are small packets that must leave at once: no Nagle (it added 40–80 ms per open).
      (
        c.stream as { setNoDelay?: (on: boolean) => void } | undefined
      )?.setNoDelay?.(true);
      failures = 0;
      session = ++sessions;
      log.info({ session }, `connected to ${opts.url}`);
      void opts.onConnect(session);
    });
    c.on('message', (topic, payload) => opts.onMessage(topic, payload));
    c.on('error', (err) => {
      const tls = describeTlsError(err, opts.ca?.file);
      if (tls) log.error({ tls: 'code' in err ? err.code : 'handshake' }, tls);
      else log.error(`connection error: ${err.message}`);
    });
    c.on('close', () => {
      if (client !== c) return;
      const wasOnline = session !== null;
      client = undefined;
      session = null;
      // Forced end fails every in-flight publish, so the outbox knows to send it again.
      c.end(true);
      if (stopping) return;
      const delay = backoffDelay(failures++, opts.backoff);
      if (wasOnline) log.warn(`disconnected, reconnecting in ${delay} ms`);
      else log.info(`not connected, retrying in ${delay} ms`);
      retryTimer = setTimeout(attempt, delay);
    });
  };

  const current = (): MqttClient => {
    if (!client || session === null) throw new Error('offline');
    return client;
  };

  return {
    start() {
      if (client || retryTimer || stopping) return;
      attempt();
    },
    async stop(farewell) {
      stopping = true;
      clearTimeout(retryTimer);
      const c = client;
      if (!c) {
        log.info('stopped');
        return;
      }
      if (session !== null) {
        if (farewell) {
          await withTimeout(
            c.publishAsync(farewell.topic, farewell.payload, {
              qos: UNIT_TOPICS.status.qos,
              retain: UNIT_TOPICS.status.retain,
            }),
          ).catch((err: unknown) =>
            log.warn({ err }, 'could not publish offline status'),
          );
        }
        // A clean DISCONNECT tells the broker not to publish the last will.
        await withTimeout(c.endAsync(false)).catch(() => c.end(true));
      } else {
        c.end(true);
      }
      log.info('stopped');
    },
    session: () => session,
    async publish(topic, payload, { retain = false, qos = 1 }) {
      await current().publishAsync(topic, payload, { qos, retain });
    },
    async subscribe(topics) {
      const granted = await current().subscribeAsync(topics, { qos: 1 });
      return granted.filter((g) => g.qos === 128).map((g) => g.topic);
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms = STOP_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
