import { sql } from 'kysely';
import type { AppContext } from '../context';
import type { Storage } from '../db/connect';
import type { Metrics } from './registry';

/**
 * Connects the metrics to what they count, without the counted code knowing: opens come from
 * the access log after commit, pushes from the hub, the rest is read when Prometheus scrapes.
 */
export function wireMetrics(
  m: Metrics,
  ctx: AppContext,
  storage: Storage,
): () => void {
  const offEvents = ctx.events.subscribe((ev) => {
    if (ev.type !== 'door.open') return;
    m.opens.inc({ result: ev.result ?? 'unknown', reason: ev.reason ?? '' });
    const rt = (ev.data as { roundTripMs?: unknown } | null)?.roundTripMs;
    if (typeof rt === 'number') m.openDuration.observe(rt / 1000);
  });

  let delivered = 0;
  // A scrape must answer while the database does not (a fenced node: its metrics say why): the
  // gauges read from it keep their last value after a second without an answer.
  const logHead = () =>
    within(
      1000,
      sql<{
        head: number | string | null;
      }>`SELECT MAX(cursor) AS head FROM changes`
        .execute(ctx.db)
        .then((row) => Number(row.rows[0]?.head ?? 0)),
    );
  const hub = ctx.sync?.hub;
  if (hub)
    hub.onFannedOut = (change) => {
      const ms = ctx.clock.now().getTime() - Date.parse(change.at);
      if (Number.isFinite(ms)) m.pushDuration.observe(Math.max(0, ms) / 1000);
      delivered = Math.max(delivered, Number(change.cursor));
    };

  m.gauge(
    'keyway_sync_sockets',
    'Live sync clients on this node: WebSocket sessions (phones, dashboards) and followed units.',
    ['kind'],
    (g) => {
      const c = ctx.sync?.clientCounts ?? { websocket: 0, unit: 0 };
      g.set({ kind: 'websocket' }, c.websocket);
      g.set({ kind: 'unit' }, c.unit);
    },
  );
  m.gauge(
    'keyway_changelog_cursor',
    "The change log's head (the last committed change), and the last one this node delivered.",
    ['of'],
    async (g) => {
      const head = await logHead();
      if (head === undefined) return;
      g.set({ of: 'head' }, head);
      g.set({ of: 'delivered' }, Math.max(delivered, 0));
    },
  );
  m.gauge(
    'keyway_changelog_lag',
    'Changes committed that this node has not delivered yet (head − delivered).',
    [],
    async (g) => {
      const head = await logHead();
      if (head === undefined) return;
      g.set(delivered ? Math.max(0, head - delivered) : 0);
    },
  );
  m.gauge(
    'keyway_node_serving',
    'Whether this node serves (1) or refuses requests (0), by reason: isolated (cut off from the change log), draining.',
    ['reason'],
    (g) => {
      g.set({ reason: 'isolated' }, ctx.isolated ? 0 : 1);
      g.set({ reason: 'draining' }, ctx.draining ? 0 : 1);
    },
  );
  m.gauge(
    'keyway_units_online',
    'Units whose last status said online (as this node sees the broker).',
    [],
    (g) => g.set(ctx.units.onlineCount),
  );
  m.gauge(
    'keyway_db_pool_connections',
    'PostgreSQL pool connections by state (none with SQLite).',
    ['state'],
    (g) => {
      const p = storage.pool?.();
      if (!p) return;
      g.set({ state: 'total' }, p.total);
      g.set({ state: 'idle' }, p.idle);
      g.set({ state: 'waiting' }, p.waiting);
    },
  );
  m.tally(
    'keyway_mqtt_messages_total',
    'MQTT messages between this node and the units, by direction (in, out) and topic kind.',
    ['direction', 'kind'],
    () =>
      (['in', 'out'] as const).flatMap((direction) =>
        [...ctx.units.traffic[direction]].map(
          ([kind, n]): [Record<string, string>, number] => [
            { direction, kind },
            n,
          ],
        ),
      ),
  );
  m.tally(
    'keyway_sync_catchups_total',
    'How sync clients caught up on (re)connect, by kind (websocket, unit) and how (replay after their cursor, snapshot).',
    ['kind', 'how'],
    () =>
      [...(ctx.sync?.catchUps.counts ?? [])].map(
        ([key, n]): [Record<string, string>, number] => {
          const [kind = '', how = ''] = key.split(' ');
          return [{ kind, how }, n];
        },
      ),
  );
  m.tally(
    'keyway_sms_total',
    'Login SMS by result: sent, failed (after the retry), retried, ceiling (refused by KEYWAY_SMS_PER_HOUR).',
    ['result'],
    () => {
      const c = ctx.sms.counters;
      return [
        [{ result: 'sent' }, c.sent],
        [{ result: 'failed' }, c.failed],
        [{ result: 'retried' }, c.retried],
        [{ result: 'ceiling' }, c.ceilingRefused],
      ];
    },
  );
  return () => {
    offEvents();
    if (hub) hub.onFannedOut = undefined;
  };
}

/** The promise's value, or undefined when it has not settled within `ms` (or failed). */
function within<T>(ms: number, p: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.catch(() => undefined),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
