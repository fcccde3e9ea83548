import type { Door } from '@keyway/protocol';
import { presentDoor } from '../presenters/door';
import { doorStateAt } from './door-state';
import type { Reader } from './reader';

/** The space's doors in creation order; for a member (`memberUserId`), the doors her groups give her. */
export async function listDoors(
  r: Reader,
  spaceId: string,
  memberUserId?: string,
): Promise<Door[]> {
  let q = r.db
    .selectFrom('doors as d')
    .selectAll('d')
    .where('d.space_id', '=', spaceId);
  if (memberUserId !== undefined)
    q = q.where('d.id', 'in', (eb) =>
      eb
        .selectFrom('members as m')
        .innerJoin('member_groups as mg', 'mg.member_id', 'm.id')
        .innerJoin('group_doors as gd', 'gd.group_id', 'mg.group_id')
        .select('gd.door_id')
        .where('m.user_id', '=', memberUserId)
        .where('m.space_id', '=', spaceId),
    );
  const rows = await q.orderBy('d.created_at').orderBy('d.id').execute();
  return rows.map(presentDoor);
}

/** One door by id (its existence checked by the policy before). */
export async function getDoor(r: Reader, id: string): Promise<Door> {
  const row = await r.db
    .selectFrom('doors')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return presentDoor(row);
}

/** A door's state at an instant (queries/door-state.ts). */
export async function getDoorState(r: Reader, id: string, at: Date) {
  const door = await r.db
    .selectFrom('doors')
    .select(['id', 'unit_id', 'sensor'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return doorStateAt(r.db, door, at);
}
