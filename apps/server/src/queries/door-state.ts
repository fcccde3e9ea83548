import type { Db } from '../db/connect';

/**
 * A door's state at an instant, from the access log: the last sensor report at or before it,
 * and whether its unit was online then. held_open and forced_open are "open", with the detail.
 */
export async function doorStateAt(
  db: Db,
  door: { id: string; unit_id: string; sensor: number },
  at: Date,
) {
  const t = at.toISOString();
  const sensor = door.sensor
    ? await db
        .selectFrom('events')
        .select(['reason', 'at'])
        .where('door_id', '=', door.id)
        .where('type', '=', 'door.state')
        .where('at', '<=', t)
        .orderBy('at', 'desc')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst()
    : undefined;
  const presence = await db
    .selectFrom('events')
    .select(['type', 'at'])
    .where('unit_id', '=', door.unit_id)
    .where('type', 'in', ['unit.online', 'unit.offline'])
    .where('at', '<=', t)
    .orderBy('at', 'desc')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const raw = sensor?.reason ?? null;
  const state: 'open' | 'closed' | 'unknown' =
    raw === null ? 'unknown' : raw === 'closed' ? 'closed' : 'open';
  return {
    id: door.id,
    state,
    detail: raw === 'held_open' || raw === 'forced_open' ? raw : null,
    unitOnline: presence?.type === 'unit.online',
    since: sensor?.at ?? null,
    unitSince: presence?.at ?? null,
    at: t,
  };
}
