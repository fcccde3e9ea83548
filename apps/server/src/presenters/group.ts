import type { Group } from '@keyway/protocol';
import type { Db } from '../db/connect';
import type { GroupsTable } from '../db/schema';

export async function presentGroups(
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
  return rows.map((r) => ({
    id: r.id,
    spaceId: r.space_id,
    name: r.name,
    doorIds: links.filter((l) => l.group_id === r.id).map((l) => l.door_id),
    geofenceMeters: r.geofence_meters,
    createdAt: r.created_at,
  }));
}

export async function presentGroup(db: Db, row: GroupsTable): Promise<Group> {
  return (await presentGroups(db, [row]))[0]!;
}
