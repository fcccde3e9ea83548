import { viewKey } from '@keyway/protocol';
import type { Db } from '../db/connect';
import { audiencesWith, current, type Delta, setEntry } from './delta';
import { getOrCreate } from './maps';
import {
  adminAudience,
  adminGroupJson,
  adminSpaceJson,
  memberGroupJson,
  memberSpaceJson,
  unitSpaceJson,
  type Views,
} from './views';

/**
 * Changes frequent or wide enough to be worth patching into the published views instead of
 * rebuilding: a door's sensor state (two per open), and a group's name or geofence (shown on
 * every member's phone: 9,000 entries with one new value). Each gives exactly what a rebuild
 * would; the property walk checks that against a whole rebuild.
 */
export type ViewPatch =
  | {
      kind: 'doorState';
      spaceId: string;
      doorId: string;
      state: string;
      since: string;
    }
  | { kind: 'group'; spaceId: string; groupId: string }
  | { kind: 'space'; spaceId: string };

export function patchesBySpace(patches: ViewPatch[]): Map<string, ViewPatch[]> {
  const out = new Map<string, ViewPatch[]>();
  for (const p of patches) getOrCreate(out, p.spaceId, () => []).push(p);
  return out;
}

/** Applies the patches of one space on top of what `delta` already changes in `views`. */
export async function applyPatches(
  db: Db,
  spaceId: string,
  views: Views,
  delta: Delta,
  patches: ViewPatch[],
): Promise<void> {
  for (const patch of patches) {
    if (patch.kind === 'doorState')
      patchDoorState(spaceId, views, delta, patch);
    else if (patch.kind === 'space')
      await patchSpace(db, spaceId, views, delta);
    else await patchGroup(db, spaceId, patch.groupId, views, delta);
  }
}

/** A group's entries: its members' (`group`) and its dashboard's (`admin.group`). */
async function patchGroup(
  db: Db,
  spaceId: string,
  groupId: string,
  views: Views,
  delta: Delta,
) {
  const group = await db
    .selectFrom('access_groups')
    .selectAll()
    .where('id', '=', groupId)
    .executeTakeFirst();
  if (!group) return;
  const doorIds = (
    await db
      .selectFrom('group_doors')
      .select('door_id')
      .where('group_id', '=', groupId)
      .orderBy('door_id')
      .execute()
  ).map((r) => r.door_id);
  replaceShown(
    views,
    delta,
    viewKey(spaceId, 'group', group.id),
    memberGroupJson(group),
  );
  setEntry(
    views,
    delta,
    adminAudience(spaceId),
    viewKey(spaceId, 'admin.group', group.id),
    adminGroupJson(group, doorIds),
  );
}

/** The space's own entries: its dashboards', its members' (`space`) and its units' (`unit.space`). */
async function patchSpace(db: Db, spaceId: string, views: Views, delta: Delta) {
  const space = await db
    .selectFrom('spaces')
    .selectAll()
    .where('id', '=', spaceId)
    .executeTakeFirst();
  if (!space) return;
  const shared = [
    [viewKey(spaceId, 'space', spaceId), memberSpaceJson(space)],
    [viewKey(spaceId, 'unit.space', spaceId), unitSpaceJson(space)],
  ] as const;
  for (const [key, json] of shared) replaceShown(views, delta, key, json);
  setEntry(
    views,
    delta,
    adminAudience(spaceId),
    viewKey(spaceId, 'admin.space', spaceId),
    adminSpaceJson(space),
  );
}

/** `key` becomes `json` in every audience that shows it. */
function replaceShown(views: Views, delta: Delta, key: string, json: string) {
  for (const audience of holders(views, delta, key))
    if (current(views, delta, audience, key) !== undefined)
      setEntry(views, delta, audience, key, json);
}

/** The audiences that may show `key`: those published with it, and those this write gives it. */
function holders(views: Views, delta: Delta, key: string): string[] {
  const added = [...delta]
    .filter(([, entries]) => typeof entries.get(key) === 'string')
    .map(([audience]) => audience);
  return added.length
    ? [...new Set([...audiencesWith(views, key), ...added])]
    : audiencesWith(views, key);
}

/** A door's state and stateSince replaced wherever the door is shown. */
function patchDoorState(
  spaceId: string,
  views: Views,
  delta: Delta,
  patch: { doorId: string; state: string; since: string },
) {
  const keys = [
    viewKey(spaceId, 'admin.door', patch.doorId),
    viewKey(spaceId, 'door', patch.doorId),
  ];
  for (const key of keys) {
    for (const audience of holders(views, delta, key)) {
      const json = current(views, delta, audience, key);
      if (json === undefined) continue;
      const value = JSON.parse(json) as Record<string, unknown>;
      value.state = patch.state;
      value.stateSince = patch.since;
      setEntry(views, delta, audience, key, JSON.stringify(value));
    }
  }
}
