import type { UnitEvent, UnitStatus } from '@keyway/protocol';
import { inTransaction } from '../commands/tx';
import type { AppContext } from '../context';
import type { Db } from '../db/connect';
import type { UnitsTable } from '../db/schema';
import { placeEvent } from './event-time';
import type { UnitLinkHandlers } from './unit-inbound';

/**
 * Turns what units report into stored state and access-log entries: presence (unit.online /
 * unit.offline), door-sensor changes (door.state) and positions. Reports from one unit are
 * handled strictly in order.
 */
export function unitReportHandlers(ctx: Ctx): UnitLinkHandlers {
  const chains = new Map<string, Promise<void>>();
  const serial = (unitId: string, work: () => Promise<void>) => {
    const next = (chains.get(unitId) ?? Promise.resolve())
      .then(work)
      .catch((err) =>
        ctx.log.error(
          { category: 'unit', unitId, err },
          'could not store a unit report',
        ),
      );
    chains.set(unitId, next);
    void next.finally(() => {
      if (chains.get(unitId) === next) chains.delete(unitId);
    });
  };

  return {
    onStatus: (unitId, status) =>
      serial(unitId, () => storeStatus(ctx, unitId, status)),
    onEvent: (unitId, event) =>
      serial(unitId, () => storeEvent(ctx, unitId, event)),
  };
}

type Ctx = Pick<
  AppContext,
  'db' | 'dialect' | 'clock' | 'events' | 'log' | 'bus' | 'viewCache'
>;

/**
 * Every server node hears every status (presence is per node) and stores it: the update is
 * conditional on the stored presence, so only the node whose write flips it logs
 * unit.online/unit.offline, once, and the last status wins on every node alike.
 */
async function storeStatus(ctx: Ctx, unitId: string, status: UnitStatus) {
  const unit = await ctx.db
    .selectFrom('units')
    .select(['name', 'space_id'])
    .where('id', '=', unitId)
    .executeTakeFirst();
  if (!unit) return;
  const set: Partial<UnitsTable> = {
    last_seen_at: ctx.clock.now().toISOString(),
    online: status.online ? 1 : 0,
  };
  if (status.agent) set.agent = status.agent;
  if (status.relays) set.relays = status.relays;
  if (status.location) {
    set.lat = status.location.lat;
    set.lon = status.location.lon;
  }
  await inTransaction(ctx, async (tx) => {
    const flipped = await tx.db
      .updateTable('units')
      .set({ online: set.online! })
      .where('id', '=', unitId)
      .where('online', '=', status.online ? 0 : 1)
      .executeTakeFirst();
    await tx.db
      .updateTable('units')
      .set(set)
      .where('id', '=', unitId)
      .execute();
    await tx.focus(unit.space_id, { units: [unitId] });
    if (status.relays)
      await warnMissingRelays(ctx, tx.db, unitId, status.relays);
    if (Number(flipped.numUpdatedRows) === 0) return;
    ctx.log.info(
      { category: 'unit', unitId },
      `unit ${unit.name} is ${status.online ? 'online' : 'offline'}`,
    );
    const type = status.online ? 'unit.online' : 'unit.offline';
    await tx.record({
      spaceId: unit.space_id,
      type,
      unitId,
      data: status.agent ? { agent: status.agent } : null,
    });
  });
}

/** Doors put on a relay before the unit announced fewer: each open of them will fail. */
async function warnMissingRelays(
  ctx: Ctx,
  db: Db,
  unitId: string,
  relays: number,
) {
  const doors = await db
    .selectFrom('doors')
    .select(['id', 'relay'])
    .where('unit_id', '=', unitId)
    .where('relay', '>', relays)
    .execute();
  if (doors.length)
    ctx.log.warn(
      { category: 'unit', unitId, relays, doors },
      'doors on relays the unit did not announce',
    );
}

async function storeEvent(ctx: Ctx, unitId: string, event: UnitEvent) {
  if (event.type === 'position') {
    const unit = await ctx.db
      .selectFrom('units')
      .select('space_id')
      .where('id', '=', unitId)
      .executeTakeFirst();
    if (!unit) return;
    await inTransaction(ctx, async (tx) => {
      await tx.db
        .updateTable('units')
        .set({ lat: event.location.lat, lon: event.location.lon })
        .where('id', '=', unitId)
        .execute();
      await tx.focus(unit.space_id, { units: [unitId] });
    });
    return;
  }
  const received = ctx.clock.now();
  const placed = placeEvent(event.at, received);
  await inTransaction(ctx, async (tx) => {
    // Read under the change-log lock: another node may be storing this door's previous event.
    const door = await tx.db
      .selectFrom('doors')
      .selectAll()
      .where('unit_id', '=', unitId)
      .where('relay', '=', event.relay)
      .executeTakeFirst();
    if (!door?.sensor) return;
    if (await alreadyLogged(tx.db, door.id, event, placed.at, received)) return;
    // The door's state is its latest event by the unit's clock (issue 25 item 3): a replayed
    // older one goes into the log at its own time, and the state stays.
    const latest = await tx.db
      .selectFrom('events')
      .select('at')
      .where('door_id', '=', door.id)
      .where('type', '=', 'door.state')
      .orderBy('at', 'desc')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const at = placed.at.toISOString();
    const current = !latest || at >= latest.at;
    // Report changes only (§4.4): a repeat of the current state is not a change.
    if (current && door.state === event.state) return;
    if (current) {
      await tx.db
        .updateTable('doors')
        .set({ state: event.state, state_since: at })
        .where('id', '=', door.id)
        .execute();
      tx.doorState({
        spaceId: door.space_id,
        doorId: door.id,
        state: event.state,
        since: at,
      });
    } else
      ctx.log.info(
        { category: 'unit', unitId, event },
        'door event older than the stored state: logged at its time, state kept',
      );
    await tx.record({
      spaceId: door.space_id,
      type: 'door.state',
      doorId: door.id,
      unitId,
      reason: event.state,
      data: {
        unitTime: event.at,
        receivedAt: received.toISOString(),
        ...(placed.clockSkew ? { clockSkew: placed.clockSkew } : {}),
        ...(current ? {} : { superseded: true }),
      },
      at: placed.at,
    });
  });
}

/** How far back a redelivery of an event placed at its arrival (a clock that is off) is recognised. */
const REDELIVERY_WINDOW_MS = 10 * 60_000;

/**
 * At-least-once delivery (§6): the same event (relay, state and `at`) may come twice. One
 * placed at its own time is found there; one clamped to its arrival, among the recent ones.
 */
async function alreadyLogged(
  db: Db,
  doorId: string,
  event: Extract<UnitEvent, { type: 'door' }>,
  at: Date,
  received: Date,
): Promise<boolean> {
  const since = new Date(
    received.getTime() - REDELIVERY_WINDOW_MS,
  ).toISOString();
  const rows = await db
    .selectFrom('events')
    .select('data')
    .where('door_id', '=', doorId)
    .where('type', '=', 'door.state')
    .where('reason', '=', event.state)
    .where((eb) =>
      eb.or([eb('at', '=', at.toISOString()), eb('at', '>=', since)]),
    )
    .limit(100)
    .execute();
  return rows.some((r) => parseUnitTime(r.data) === event.at);
}

function parseUnitTime(data: unknown): string | undefined {
  const obj = typeof data === 'string' ? JSON.parse(data) : data;
  const t = (obj as { unitTime?: unknown } | null)?.unitTime;
  return typeof t === 'string' ? t : undefined;
}

/** After a restart nobody is known to be connected: close the presence of every unit; retained statuses reopen it. */
export async function resetPresence(ctx: Ctx): Promise<void> {
  const online = await ctx.db
    .selectFrom('units')
    .select(['id', 'space_id'])
    .where('online', '=', 1)
    .execute();
  for (const u of online) {
    await inTransaction(ctx, async (tx) => {
      await tx.db
        .updateTable('units')
        .set({ online: 0 })
        .where('id', '=', u.id)
        .execute();
      await tx.focus(u.space_id, { units: [u.id] });
      await tx.record({
        spaceId: u.space_id,
        type: 'unit.offline',
        unitId: u.id,
        data: { reason: 'server_restart' },
      });
    });
  }
}
