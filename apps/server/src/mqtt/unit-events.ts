import type { UnitEvent, UnitStatus } from '@keyway/protocol';
import { inTransaction } from '../commands/tx';
import type { AppContext } from '../context';
import type { Db } from '../db/connect';
import type { UnitsTable } from '../db/schema';
import type { UnitLinkHandlers } from './unit-link';

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
  // The server's clock orders the log; the unit's own time is kept beside it.
  const at = ctx.clock.now();
  await inTransaction(ctx, async (tx) => {
    // Read under the change-log lock: another node may be storing this door's previous event.
    const door = await tx.db
      .selectFrom('doors')
      .selectAll()
      .where('unit_id', '=', unitId)
      .where('relay', '=', event.relay)
      .executeTakeFirst();
    if (!door?.sensor || door.state === event.state) return;
    if (await newerStateStored(tx.db, door.id, event.at, at)) {
      ctx.log.info(
        { category: 'unit', unitId, event },
        'door event older than the stored state: not applied',
      );
      return;
    }
    await tx.db
      .updateTable('doors')
      .set({ state: event.state, state_since: at.toISOString() })
      .where('id', '=', door.id)
      .execute();
    tx.doorState({
      spaceId: door.space_id,
      doorId: door.id,
      state: event.state,
      since: at.toISOString(),
    });
    await tx.record({
      spaceId: door.space_id,
      type: 'door.state',
      doorId: door.id,
      unitId,
      reason: event.state,
      data: { unitTime: event.at },
      at,
    });
  });
}

/**
 * Events of one unit reach the nodes of a cluster one by one (a shared subscription), so two
 * nodes may store consecutive events in either order. The unit's own clock orders them: an
 * event stamped at or before the one the door's state came from does not overwrite it — within
 * REORDER_WINDOW_MS of that state's storing, so a unit whose clock was set back (NTP) is not
 * ignored for longer than that.
 */
const REORDER_WINDOW_MS = 60_000;
async function newerStateStored(
  db: Db,
  doorId: string,
  unitTime: string,
  now: Date,
): Promise<boolean> {
  const last = await db
    .selectFrom('events')
    .select(['data', 'at'])
    .where('door_id', '=', doorId)
    .where('type', '=', 'door.state')
    .orderBy('at', 'desc')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last || now.getTime() - Date.parse(last.at) > REORDER_WINDOW_MS)
    return false;
  const stored = parseUnitTime(last.data);
  return stored !== undefined && Date.parse(unitTime) <= stored;
}

function parseUnitTime(data: unknown): number | undefined {
  const obj = typeof data === 'string' ? JSON.parse(data) : data;
  const t = (obj as { unitTime?: unknown } | null)?.unitTime;
  return typeof t === 'string' ? Date.parse(t) : undefined;
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
