import type { Db } from '../db/connect';
import type {
  DoorsTable,
  GroupsTable,
  SpacesTable,
  UnitsTable,
} from '../db/schema';
import type { Focus } from './focus';

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

/** Runs `query` over `ids` in slices (bound-parameter limits), concatenating the rows. */
export async function chunked<T>(
  ids: string[],
  query: (slice: string[]) => Promise<T[]>,
  size = 500,
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += size)
    out.push(...(await query(ids.slice(i, i + size))));
  return out;
}

/**
 * The rows among `ids` that belong to the space. The lookup goes by the ids' own index and the
 * space is checked on the rows: with `space_id = ? AND id IN (…)` SQLite walks the space's whole
 * index when its statistics are missing or stale — as they are for every space that grew after
 * the last ANALYZE — 0.3 ms for one door's edit in a space of 1,000 units.
 */
export async function chunkedInSpace<T extends { space_id: string }>(
  ids: string[],
  spaceId: string,
  query: (slice: string[]) => Promise<T[]>,
): Promise<T[]> {
  return (await chunked(ids, query)).filter((r) => r.space_id === spaceId);
}

/** Rows in the order of one text column (what `ORDER BY` gives a whole-space load). */
const by =
  <K extends string>(k: K) =>
  <T extends Record<K, string>>(a: T, b: T) =>
    a[k] < b[k] ? -1 : a[k] > b[k] ? 1 : 0;
const byId = by('id');

/** The whole space: every row its views are made of. */
export async function loadSpaceData(
  db: Db,
  spaceId: string,
): Promise<SpaceData | null> {
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
      membersQuery(db)
        .where('m.space_id', '=', spaceId)
        .orderBy('m.id')
        .execute(),
      db
        .selectFrom('member_groups as mg')
        .innerJoin('members as m', 'm.id', 'mg.member_id')
        .select(['mg.member_id', 'mg.group_id'])
        .where('m.space_id', '=', spaceId)
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

const membersQuery = (db: Db) =>
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
    ]);

/**
 * The rows a focused rebuild needs (see focus.ts): the focused members with their groups, those
 * groups' doors and the units driving them, the focused units with all their doors, the focused
 * doors and groups. No admins: a focus never owns `admin.admin` entries.
 */
export async function loadFocusData(
  db: Db,
  spaceId: string,
  focus: Focus,
): Promise<SpaceData | null> {
  const space = await db
    .selectFrom('spaces')
    .selectAll()
    .where('id', '=', spaceId)
    .executeTakeFirst();
  if (!space) return null;
  const memberIds = [...focus.members];
  const members = await chunkedInSpace(memberIds, spaceId, (ids) =>
    membersQuery(db).select('m.space_id').where('m.id', 'in', ids).execute(),
  );
  const memberGroups = await chunked(
    members.map((m) => m.id),
    (ids) =>
      db
        .selectFrom('member_groups')
        .select(['member_id', 'group_id'])
        .where('member_id', 'in', ids)
        .execute(),
  );
  const groupIds = new Set([
    ...focus.groups,
    ...memberGroups.map((l) => l.group_id),
  ]);
  const groups = await chunkedInSpace([...groupIds], spaceId, (ids) =>
    db.selectFrom('access_groups').selectAll().where('id', 'in', ids).execute(),
  );
  const groupDoors = await chunked(
    groups.map((g) => g.id),
    (ids) =>
      db
        .selectFrom('group_doors')
        .select(['group_id', 'door_id'])
        .where('group_id', 'in', ids)
        .execute(),
  );
  const doorIds = new Set([
    ...focus.doors,
    ...groupDoors.map((l) => l.door_id),
  ]);
  // The doors named or opened by those groups, and every door of the focused units.
  const doorRows = new Map<string, DoorsTable>();
  for (const [column, ids] of [
    ['id', doorIds],
    ['unit_id', focus.units],
  ] as const)
    for (const d of await chunkedInSpace([...ids], spaceId, (slice) =>
      db.selectFrom('doors').selectAll().where(column, 'in', slice).execute(),
    ))
      doorRows.set(d.id, d);
  const doors = [...doorRows.values()];
  const unitIds = new Set([...focus.units, ...doors.map((d) => d.unit_id)]);
  const units = await chunkedInSpace([...unitIds], spaceId, (ids) =>
    db.selectFrom('units').selectAll().where('id', 'in', ids).execute(),
  );
  // The same order as a whole-space load, so lists inside entries (groupIds, relays) match.
  memberGroups.sort(by('group_id'));
  groupDoors.sort(by('door_id'));
  return {
    space,
    units: units.sort(byId),
    doors: doors.sort(byId),
    groups: groups.sort(byId),
    groupDoors,
    members: members.sort(byId),
    memberGroups,
    admins: [],
  };
}
