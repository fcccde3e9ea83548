import type { Server as TlsServer } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type Clock, systemClock } from './clock';
import type { Config } from './config';
import type { AppContext } from './context';
import { openStorage, type Storage } from './db/connect';
import { buildApp } from './http/app';
import { newId, newSecret } from './ids';
import { createLogger } from './logger';
import { startMetricsServer } from './metrics/endpoint';
import { Metrics } from './metrics/registry';
import { wireMetrics } from './metrics/wire';
import { EmbeddedBroker } from './mqtt/broker';
import { DynsecAccounts } from './mqtt/dynsec';
import { databaseAccounts, type UnitAccounts } from './mqtt/unit-accounts';
import { resetPresence, unitReportHandlers } from './mqtt/unit-events';
import { UnitLink } from './mqtt/unit-link';
import { routes } from './routes';
import { EventLog } from './services/event-log';
import { RateLimiter } from './services/rate-limit';
import { createSmsGateway } from './services/sms';
import { type ChangeBus, InProcessBus } from './sync/bus';
import { SyncEngine } from './sync/engine';
import { LogFence } from './sync/fence';
import { type Lease, PgLease, SoleLease } from './sync/leader';
import { NatsBus } from './sync/nats-bus';
import { ViewCache } from './sync/view-cache';
import { certificateWarnings, loadTls } from './tls';

export interface KeywayServer {
  ctx: AppContext;
  app: FastifyInstance;
  /** http://host:port of the API (https:// with KEYWAY_TLS_CERT). */
  url: string;
  /** The broker URL units connect to (the embedded broker's mqtts:// with KEYWAY_MQTT_TLS_CERT). */
  mqttUrl: string;
  /**
   * Re-reads the TLS certificate and key files (a renewal; SIGHUP in main.ts): new connections
   * get them, open ones keep theirs. A bad file changes nothing and rejects naming the setting.
   */
  reloadTls(): Promise<void>;
  /**
   * Stops serving gracefully: readiness fails and new requests and sync sockets are refused at
   * once; opens and writes in flight finish; sync sockets close with 1012 (reconnect now).
   */
  drain(): Promise<void>;
  /** GET /metrics on its own port, when KEYWAY_METRICS_PORT is set. */
  metricsUrl?: string | undefined;
  stop(): Promise<void>;
}

/** Starts storage, the broker (embedded unless KEYWAY_MQTT_URL), the link to units and the HTTP API. */
export async function startServer(
  config: Config,
  opts: {
    clock?: Clock;
    log?: Logger;
    /**
     * The database was restored under this node (its sync epoch changed): it must start again.
     * Called once this server has drained; main.ts exits so that its supervisor restarts it.
     */
    onRestartNeeded?: () => void;
  } = {},
): Promise<KeywayServer> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger(config.logLevel, config.logPretty);
  // Before anything opens: an unreadable file or a key of another certificate stops the start.
  const tls = loadTls(config);
  const metrics = new Metrics();
  const storage: Storage = await openStorage({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    warn: (message) => log.warn(message),
    onQuery: (ms, failed) =>
      metrics.dbQuery.observe({ outcome: failed ? 'error' : 'ok' }, ms / 1000),
  });
  const { db, dialect } = storage;
  const events = new EventLog({ db, clock });

  let broker: EmbeddedBroker | undefined;
  let linkUrl: string;
  let linkUser: string | undefined;
  let linkPass: string | undefined;
  if (config.mqttUrl) {
    const u = new URL(config.mqttUrl);
    linkUser = u.username ? decodeURIComponent(u.username) : undefined;
    linkPass = u.password ? decodeURIComponent(u.password) : undefined;
    u.username = '';
    u.password = '';
    linkUrl = u.toString();
    log.info(
      {
        category: 'mqtt',
        port: Number(u.port) || (u.protocol === 'mqtts:' ? 8883 : 1883),
        accounts: config.mqttAccounts,
      },
      `units on the external MQTT broker ${linkUrl}`,
    );
  } else {
    linkUser = 'keyway-server';
    linkPass = newSecret(24);
    broker = new EmbeddedBroker({
      host: config.mqttHost,
      port: config.mqttPort,
      log,
      serverUsername: linkUser,
      serverPassword: linkPass,
      unitPasswordHash: async (unitId) =>
        (
          await db
            .selectFrom('units')
            .select('password_hash')
            .where('id', '=', unitId)
            .executeTakeFirst()
        )?.password_hash ?? null,
      tls: tls.mqtt,
      plainPort: config.mqttPlainPort,
    });
    await broker.start();
    linkUrl = broker.linkUrl;
  }
  const brokerUrl = broker
    ? `${tls.mqtt ? 'mqtts' : 'mqtt'}://${config.mqttHost}:${broker.port}`
    : linkUrl;
  const unitMqttUrl = config.mqttPublicUrl ?? brokerUrl;
  const warnCertificates = () => {
    const now = clock.now().getTime();
    for (const w of [
      ...certificateWarnings(
        tls.mqtt,
        unitMqttUrl,
        'KEYWAY_MQTT_PUBLIC_URL',
        now,
      ),
      ...certificateWarnings(
        tls.https,
        config.publicUrl,
        'KEYWAY_PUBLIC_URL',
        now,
      ),
    ])
      log.warn({ category: 'tls' }, w);
  };
  warnCertificates();
  const accounts: UnitAccounts =
    config.mqttUrl && config.mqttAccounts === 'dynsec'
      ? new DynsecAccounts({
          url: linkUrl,
          username: linkUser ?? '',
          password: linkPass ?? '',
          log,
          timeoutMs: 3000,
          graceMs: 5000,
        })
      : databaseAccounts((id) => broker?.kick(id));
  if (accounts instanceof DynsecAccounts) {
    // Before the link connects: it gives this user the role to publish unit topics.
    await accounts.start();
    accounts
      .reconcile(async () =>
        (await db.selectFrom('units').select('id').execute()).map((u) => u.id),
      )
      .catch((err) =>
        log.warn({ category: 'mqtt', err }, 'broker reconcile failed'),
      );
  }
  const nodeId = config.nodeId ?? newId('node');
  const units = new UnitLink({
    nodeId,
    url: linkUrl,
    username: linkUser,
    password: linkPass,
    log,
    clock,
    keepaliveS: config.mqttKeepaliveS,
    kick: (id) => broker?.kick(id),
    ...(broker
      ? {
          publish: broker.publish.bind(broker),
          subscribe: broker.subscribe.bind(broker),
        }
      : {}),
  });

  let sync: SyncEngine | undefined;
  const cluster = await startCluster(config, storage, nodeId, log, () =>
    sync?.reloadTimers(),
  );

  const ctx: AppContext = {
    config,
    db,
    dialect,
    clock,
    log,
    sms: createSmsGateway(config, log, () => clock.now()),
    limiter: new RateLimiter(db, clock),
    events,
    bus: cluster?.bus ?? new InProcessBus(),
    viewCache: new ViewCache(),
    units,
    accounts,
    unitMqttUrl,
    metrics,
  };
  // One process with its own broker: nobody is connected yet. On an external broker the
  // retained statuses are the truth (other nodes are serving), replayed at subscribe.
  if (broker) await resetPresence(ctx);
  let drain: (() => Promise<void>) | undefined;
  sync = await SyncEngine.start(ctx, cluster?.lease ?? new SoleLease(), {
    onEpochChange: () =>
      void drain?.().then(
        () => opts.onRestartNeeded?.(),
        (err) => log.error({ category: 'http', err }, 'stopping failed'),
      ),
  });
  ctx.sync = sync;
  const fence = cluster && isolationFence(ctx, cluster.bus, storage, nodeId);
  const engine = sync;
  const handlers = unitReportHandlers(ctx);
  await units.start({
    ...handlers,
    onStatus: (unitId, status, retained) => {
      engine.unitStatus(unitId, status.online, retained);
      handlers.onStatus(unitId, status, retained);
    },
    onSync: (unitId, report) => engine.onUnitSync(unitId, report),
  });
  broker?.openToUnits();

  const unwire = wireMetrics(metrics, ctx, storage);
  const metricsServer =
    config.metricsPort === undefined
      ? undefined
      : await startMetricsServer(metrics, config.host, config.metricsPort);
  const app = buildApp(ctx, routes, { https: tls.https });
  engine.attach(app.server);
  await app.listen({ host: config.host, port: config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `${tls.https ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info(
    { category: 'http', url, node: nodeId },
    `Keyway API on ${url} (storage: ${dialect}${cluster ? `, cluster node ${nodeId}` : ''})`,
  );

  let stopped = false;
  const server: KeywayServer = {
    ctx,
    app,
    url,
    mqttUrl: brokerUrl,
    metricsUrl: metricsServer?.url,
    async reloadTls() {
      if (!tls.https && !tls.mqtt) {
        log.info({ category: 'tls' }, 'TLS reload: no TLS configured');
        return;
      }
      let next: ReturnType<typeof loadTls>;
      try {
        next = loadTls(config);
      } catch (err) {
        log.error(
          { category: 'tls', err: (err as Error).message },
          'TLS reload failed: still serving the previous certificates',
        );
        throw err;
      }
      if (next.https) {
        (app.server as unknown as TlsServer).setSecureContext({
          cert: next.https.cert,
          key: next.https.key,
        });
        tls.https = next.https;
      }
      if (next.mqtt && broker) {
        broker.setSecureContext(next.mqtt);
        tls.mqtt = next.mqtt;
      }
      for (const pair of [next.https, next.mqtt])
        if (pair)
          log.info(
            {
              category: 'tls',
              serial: pair.leaf.serialNumber,
              validTo: pair.leaf.validTo,
            },
            `TLS reloaded ${pair.source}`,
          );
      warnCertificates();
    },
    drain() {
      ctx.draining = true;
      log.info(
        { category: 'http', node: nodeId },
        'shutting down: finishing what is in flight',
      );
      return server.stop();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      fence?.stop();
      // First: the other nodes take this node's units over while it closes the rest.
      await units.leave();
      await engine.stop();
      unwire();
      await metricsServer?.stop();
      await app.close();
      await cluster?.bus.stop();
      await units.stop();
      await accounts.stop();
      await broker?.stop();
      await storage.close();
    },
  };
  drain = () => server.drain();
  return server;
}

/**
 * Cluster mode (KEYWAY_NATS_URL, on PostgreSQL): the NATS bus between nodes and the lease for
 * the once-only work. Without it, one process: the in-process bus, always the leader.
 */
async function startCluster(
  config: Config,
  storage: Storage,
  nodeId: string,
  log: Logger,
  onGap: () => Promise<void> | undefined,
): Promise<{ bus: NatsBus & ChangeBus; lease: Lease } | undefined> {
  if (!config.natsUrl) return undefined;
  if (storage.dialect !== 'postgres' || !config.databaseUrl)
    throw new Error(
      'KEYWAY_NATS_URL needs KEYWAY_DATABASE_URL: cluster nodes share PostgreSQL.',
    );
  const database = new URL(config.databaseUrl).pathname.slice(1) || 'keyway';
  const bus = await NatsBus.start({
    url: config.natsUrl,
    subject:
      config.natsSubject ??
      `keyway.changes.${database.replace(/[^A-Za-z0-9_-]/g, '_')}`,
    nodeId,
    db: storage.db,
    log,
    onGap: () =>
      void onGap()?.catch((err) =>
        log.warn({ category: 'sync', err }, 'reloading timers failed'),
      ),
  });
  return { bus, lease: new PgLease({ url: config.databaseUrl, log }) };
}

/**
 * A cluster node cut off from the change log stops serving until it hears from it again
 * (sync/fence.ts): its sockets resume elsewhere, its units go to the live nodes (it stands down
 * from `_nodes/`), its stuck database connections are cut.
 */
function isolationFence(
  ctx: AppContext,
  bus: NatsBus,
  storage: Storage,
  nodeId: string,
): LogFence {
  const fence = new LogFence({
    silentMs: () => bus.logSilentMs(),
    limitMs: ctx.config.fenceMs,
    onIsolated: (ms) => {
      ctx.isolated = true;
      ctx.log.warn(
        { category: 'sync', node: nodeId, silentMs: Math.round(ms) },
        'the change log has not answered: this node stops serving until it does (503 node_isolated)',
      );
      ctx.sync?.dropSessions();
      void ctx.units.roster?.standDown();
      storage.resetConnections?.();
    },
    onRestored: () => {
      ctx.isolated = false;
      ctx.units.roster?.rejoin();
      ctx.log.info(
        { category: 'sync', node: nodeId },
        'the change log answers again: serving',
      );
    },
  });
  fence.start();
  return fence;
}
