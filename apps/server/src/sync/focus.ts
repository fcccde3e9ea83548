import { viewKey } from '@keyway/protocol';
import type { Db } from '../db/connect';
import { type Delta, setEntry, unitAudiences } from './delta';
import { chunked, chunkedInSpace } from './space-data';
import { adminAudience, type Views } from './views';

/**
 * The part of a space a write touched: these members, units, doors and groups. A focused
 * rebuild recomputes only the view entries that depend on them and leaves every other entry as
 * published — in a space of 9,000 members or 5,000 units, the difference between a handful of
 * entries and all of them. The result is exactly what a whole-space rebuild would give.
 */
export interface Focus {
  members: Set<string>;
  units: Set<string>;
  doors: Set<string>;
  groups: Set<string>;
}

export interface FocusSeeds {
  members?: string[];
  units?: string[];
  doors?: string[];
  groups?: string[];
}

export const emptyFocus = (): Focus => ({
  members: new Set(),
  units: new Set(),
  doors: new Set(),
  groups: new Set(),
});

export function addFocus(f: Focus, more: Focus): Focus {
  for (const k of ['members', 'units', 'doors', 'groups'] as const)
    for (const id of more[k]) f[k].add(id);
  return f;
}

export function addSeeds(f: Focus, s: FocusSeeds): Focus {
  for (const id of s.members ?? []) f.members.add(id);
  for (const id of s.units ?? []) f.units.add(id);
  for (const id of s.doors ?? []) f.doors.add(id);
  for (const id of s.groups ?? []) f.groups.add(id);
  return f;
}

/**
 * Everything whose entries depend on the seeds, as the rows stand now: a unit's doors, a door's
 * unit, the groups that open a door, the members of those groups (one step each: a door's unit
 * is focused for its config, not for its other doors). Called before a write (what it may
 * remove) and again before commit (what it may add); the union is the focus.
 */
export async function expandFocus(
  db: Db,
  spaceId: string,
  seeds: Focus,
): Promise<Focus> {
  const f: Focus = {
    members: new Set(seeds.members),
    units: new Set(seeds.units),
    doors: new Set(seeds.doors),
    groups: new Set(seeds.groups),
  };
  for (const d of await chunkedInSpace([...f.units], spaceId, (ids) =>
    db
      .selectFrom('doors')
      .select(['id', 'space_id'])
      .where('unit_id', 'in', ids)
      .execute(),
  ))
    f.doors.add(d.id);
  for (const d of await chunkedInSpace([...f.doors], spaceId, (ids) =>
    db
      .selectFrom('doors')
      .select(['unit_id', 'space_id'])
      .where('id', 'in', ids)
      .execute(),
  ))
    f.units.add(d.unit_id);
  for (const g of await chunked([...f.doors], (ids) =>
    db
      .selectFrom('group_doors')
      .select('group_id')
      .where('door_id', 'in', ids)
      .execute(),
  ))
    f.groups.add(g.group_id);
  for (const m of await chunked([...f.groups], (ids) =>
    db
      .selectFrom('member_groups')
      .select('member_id')
      .where('group_id', 'in', ids)
      .execute(),
  ))
    f.members.add(m.member_id);
  return f;
}

/**
 * The delta of a focused rebuild: `partial` was built from the focused rows only, so it is
 * trusted for the entries the focus owns and ignored for every other one.
 *  - a member owns her phone's whole view of the space, her `admin.member` entry and her
 *    `unit.access` entry on every unit;
 *  - a unit owns `admin.unit`, its `unit.config` and its copy of `unit.space`; a door
 *    `admin.door`; a group `admin.group`.
 */
export function focusedDelta(
  spaceId: string,
  focus: Focus,
  published: Views,
  partial: Views,
  /** The focused members that still exist, with their user ids. */
  userOf: Map<string, string>,
): Delta {
  const delta: Delta = new Map();
  const admin = adminAudience(spaceId);
  const put = (audience: string, key: string) =>
    setEntry(published, delta, audience, key, partial.get(audience)?.get(key));

  const adminKinds = [
    ['admin.member', focus.members],
    ['admin.unit', focus.units],
    ['admin.door', focus.doors],
    ['admin.group', focus.groups],
  ] as const;
  for (const [kind, ids] of adminKinds)
    for (const id of ids) put(admin, viewKey(spaceId, kind, id));

  // Her user id: from her row, or from the published entry when she was just removed.
  const users = new Set<string>();
  for (const id of focus.members) {
    const userId = userOf.get(id);
    if (userId) users.add(userId);
    const json = published
      .get(admin)
      ?.get(viewKey(spaceId, 'admin.member', id));
    if (json && !userId)
      users.add((JSON.parse(json) as { userId: string }).userId);
  }
  for (const userId of users) {
    const audience = `u:${userId}`;
    const keys = new Set([
      ...(published.get(audience)?.keys() ?? []),
      ...(partial.get(audience)?.keys() ?? []),
    ]);
    for (const key of keys) put(audience, key);
  }

  for (const unitId of focus.units) {
    put(`n:${unitId}`, viewKey(spaceId, 'unit.config', unitId));
    put(`n:${unitId}`, viewKey(spaceId, 'unit.space', spaceId));
  }
  if (focus.members.size) {
    const units = new Set([
      ...unitAudiences(published),
      ...unitAudiences(partial),
    ]);
    for (const audience of units)
      for (const id of focus.members)
        put(audience, viewKey(spaceId, 'unit.access', id));
  }
  return delta;
}
