import net, { type AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';

/** A real MQTT broker in this process, for tests. */
export interface TestBroker {
  url: string;
  port: number;
  /** While true, unit clients (`unit-*`) are refused as with bad credentials. */
  refuseUnits: boolean;
  /** Delays every SUBACK, as a broker checking permissions in a database would. */
  subscribeDelayMs: number;
  /** How many unit connections were refused so far. */
  readonly refused: number;
  /** Destroys the TCP connection of client `clientId` without a DISCONNECT. */
  dropClient(clientId: string): void;
  close(): Promise<void>;
}

/** Starts aedes on `port` (0: any free port) of 127.0.0.1. */
export async function startBroker(port = 0): Promise<TestBroker> {
  const aedes = await Aedes.createBroker();
  const clients = new Map<string, Client>();
  const sockets = new Set<net.Socket>();
  let refused = 0;
  let closing: Promise<void> | undefined;
  aedes.on('client', (client) => clients.set(client.id, client));
  aedes.on('clientDisconnect', (client) => clients.delete(client.id));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;

  const broker: TestBroker = {
    url: `mqtt://127.0.0.1:${actualPort}`,
    port: actualPort,
    refuseUnits: false,
    subscribeDelayMs: 0,
    get refused() {
      return refused;
    },
    dropClient(clientId) {
      const client = clients.get(clientId);
      if (!client) throw new Error(`no client ${clientId}`);
      client.conn.destroy();
    },
    close() {
      closing ??= (async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
  aedes.authenticate = (client, _username, _password, done) => {
    if (broker.refuseUnits && client.id.startsWith('unit-')) {
      refused++;
      // 4: bad user name or password (MQTT 3.1.1 §3.2.2.3).
      done(
        Object.assign(new Error('refused by test'), {
          returnCode: 4,
        }) as AuthenticateError,
        false,
      );
      return;
    }
    done(null, true);
  };
  aedes.authorizeSubscribe = (_client, subscription, done) => {
    if (broker.subscribeDelayMs === 0) return done(null, subscription);
    setTimeout(() => done(null, subscription), broker.subscribeDelayMs);
  };
  return broker;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
