import type { Group } from '@keyway/protocol';
import type { Db } from '../db/connect';
import type { GroupsTable } from '../db/schema';
import { presentGroup } from '../presenters/group';
import type { Reader } from './reader';

/** Groups with their door ids (one query for the links of all of them). */
export async function loadGroups(
  db: Db,
  rows: GroupsTable[],
): Promise<Group[]> {
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('group_doors')
    .select(['group_id', 'door_id'])
    .where(
      'group_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('door_id')
    .execute();
  return rows.map((r) =>
    presentGroup(
      r,
      links.filter((l) => l.group_id === r.id).map((l) => l.door_id),
    ),
  );
}

/** The space's groups, in creation order. */
export async function listGroups(r: Reader, spaceId: string): Promise<Group[]> {
  const rows = await r.db
    .selectFrom('access_groups')
    .selectAll()
    .where('space_id', '=', spaceId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return loadGroups(r.db, rows);
}

/** One group by id (its existence checked by the policy before). */
export async function getGroup(r: Reader, id: string): Promise<Group> {
  const row = await r.db
    .selectFrom('access_groups')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return (await loadGroups(r.db, [row]))[0]!;
}

/** A group row just written, as the API shows it. */
export async function groupOf(r: Reader, row: GroupsTable): Promise<Group> {
  return (await loadGroups(r.db, [row]))[0]!;
}
