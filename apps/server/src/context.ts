import type { Logger } from 'pino';
import type { Clock } from './clock';
import type { Config } from './config';
import type { Db, Dialect } from './db/connect';
import type { RequestTiming } from './http/timing';
import type { Metrics } from './metrics/registry';
import type { UnitAccounts } from './mqtt/unit-accounts';
import type { UnitLink } from './mqtt/unit-link';
import type { ApiRequest } from './services/audit-log';
import type { EventLog } from './services/event-log';
import type { RateLimiter } from './services/rate-limit';
import type { SmsGateway } from './services/sms';
import type { ChangeBus } from './sync/bus';
import type { SyncEngine } from './sync/engine';
import type { ViewCache } from './sync/view-cache';

/** What request handlers and commands may use. Each module takes only the parts it needs. */
export interface AppContext {
  config: Config;
  db: Db;
  dialect: Dialect;
  clock: Clock;
  log: Logger;
  /** Sends login codes through the configured provider, retrying once (services/sms/). */
  sms: SmsGateway;
  limiter: RateLimiter;
  events: EventLog;
  /** Announces committed change-log rows to the sync fan-out and the time scheduler. */
  bus: ChangeBus;
  /** The last published views per space (see sync/view-cache.ts). */
  viewCache: ViewCache;
  units: UnitLink;
  /** Units' broker accounts (dynamic security on an external Mosquitto; the database otherwise). */
  accounts: UnitAccounts;
  /** Push sync (set once started). */
  sync?: SyncEngine;
  /** The broker URL handed to new units. */
  unitMqttUrl: string;
  /** Set once SIGTERM arrived: new requests get 503 shutting_down, /readyz fails (server.ts). */
  draining?: boolean;
  /**
   * Set while a cluster node is cut off from the change log (sync/fence.ts): requests get 503
   * node_isolated and sync sockets are refused, since its views may be stale.
   */
  isolated?: boolean;
  /** What GET /metrics shows (metrics/). */
  metrics?: Metrics;
  /** Set per HTTP request (a copy of the context): where its time went (Server-Timing). */
  timing?: RequestTiming;
  /** Set per HTTP request: the operation and its caller; an admin action's audit entry says them. */
  request?: ApiRequest;
}
