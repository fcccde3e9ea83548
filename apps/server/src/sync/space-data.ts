import type { Db } from '../db/connect';
import type {
  DoorsTable,
  GroupsTable,
  SpacesTable,
  UnitsTable,
} from '../db/schema';

/** Everything one space's views are made of, read in a handful of set queries. */
export interface SpaceData {
  space: SpacesTable;
  units: UnitsTable[];
  doors: DoorsTable[];
  groups: GroupsTable[];
  groupDoors: { group_id: string; door_id: string }[];
  members: {
    id: string;
    user_id: string;
    name: string | null;
    access: string | null;
    geofence_meters: number | null;
    created_at: string;
    phone: string;
  }[];
  memberGroups: { member_id: string; group_id: string }[];
  admins: {
    user_id: string;
    role: 'owner' | 'admin' | 'viewer';
    created_at: string;
    phone: string;
    name: string | null;
  }[];
}

/** `onlyMembers`: load just these members (a member-scoped recompute, see changelog.ts). */
export async function loadSpaceData(
  db: Db,
  spaceId: string,
  onlyMembers?: string[],
): Promise<SpaceData | null> {
  const ids = onlyMembers?.length ? onlyMembers : [''];
  const space = await db
    .selectFrom('spaces')
    .selectAll()
    .where('id', '=', spaceId)
    .executeTakeFirst();
  if (!space) return null;
  const [units, doors, groups, groupDoors, members, memberGroups, admins] =
    await Promise.all([
      db
        .selectFrom('units')
        .selectAll()
        .where('space_id', '=', spaceId)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('doors')
        .selectAll()
        .where('space_id', '=', spaceId)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('access_groups')
        .selectAll()
        .where('space_id', '=', spaceId)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('group_doors as gd')
        .innerJoin('access_groups as g', 'g.id', 'gd.group_id')
        .select(['gd.group_id', 'gd.door_id'])
        .where('g.space_id', '=', spaceId)
        .orderBy('gd.door_id')
        .execute(),
      db
        .selectFrom('members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select([
          'm.id',
          'm.user_id',
          'm.name',
          'm.access',
          'm.geofence_meters',
          'm.created_at',
          'u.phone',
        ])
        .where('m.space_id', '=', spaceId)
        .$if(onlyMembers !== undefined, (q) => q.where('m.id', 'in', ids))
        .orderBy('m.id')
        .execute(),
      db
        .selectFrom('member_groups as mg')
        .innerJoin('members as m', 'm.id', 'mg.member_id')
        .select(['mg.member_id', 'mg.group_id'])
        .where('m.space_id', '=', spaceId)
        .$if(onlyMembers !== undefined, (q) =>
          q.where('mg.member_id', 'in', ids),
        )
        .orderBy('mg.group_id')
        .execute(),
      db
        .selectFrom('space_admins as a')
        .innerJoin('users as u', 'u.id', 'a.user_id')
        .select(['a.user_id', 'a.role', 'a.created_at', 'u.phone', 'u.name'])
        .where('a.space_id', '=', spaceId)
        .orderBy('a.user_id')
        .execute(),
    ]);
  return {
    space,
    units,
    doors,
    groups,
    groupDoors,
    members,
    memberGroups,
    admins,
  };
}
