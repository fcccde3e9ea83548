import { sql } from 'kysely';
import type { Db } from '../db/connect';
import { audiencesWith, type Delta, kindOf } from './delta';
import { getOrCreate } from './maps';
import type { Views } from './views';

/**
 * Kinds whose entry is the same for every audience of a space that has it: a member's `space`
 * and `group` entries (views.ts serializes each once per space), a unit's `unit.space`. Their
 * value is stored once, in `shared_values`; `view_state` keeps a row per audience with an empty
 * value, for presence. A group renamed for 9,000 phones writes one row instead of 9,000.
 */
const SHARED_KINDS = new Set(['space', 'group', 'unit.space']);
export const isSharedKey = (key: string) => SHARED_KINDS.has(kindOf(key));

export interface ViewStateWrites {
  /** [audience, key, value]: value '' for a shared entry (its value is in `shared`). */
  upserts: [string, string, string][];
  deletes: [string, string][];
  /** key → the one value of a shared entry. */
  shared: Map<string, string>;
  /** Shared entries no audience shows any more: their value goes too. */
  unshared: string[];
}

/**
 * The rows a delta writes, given the views published before it: a shared entry's row is
 * written only when an audience gains it; its new value goes once to `shared`.
 */
export function viewStateWrites(before: Views, delta: Delta): ViewStateWrites {
  const out: ViewStateWrites = {
    upserts: [],
    deletes: [],
    shared: new Map(),
    unshared: [],
  };
  /** Shared key → audiences this write takes it from. */
  const removed = new Map<string, Set<string>>();
  for (const [audience, entries] of delta) {
    for (const [key, value] of entries) {
      if (value === null) {
        out.deletes.push([audience, key]);
        if (isSharedKey(key))
          getOrCreate(removed, key, () => new Set<string>()).add(audience);
      } else if (!isSharedKey(key)) out.upserts.push([audience, key, value]);
      else {
        const other = out.shared.get(key);
        if (other !== undefined && other !== value)
          throw new Error(`shared view entry ${key} given two values`);
        out.shared.set(key, value);
        if (!before.get(audience)?.has(key))
          out.upserts.push([audience, key, '']);
      }
    }
  }
  // A group deleted, say: when every audience that showed it loses it, its value goes.
  for (const [key, from] of removed)
    if (
      !out.shared.has(key) &&
      audiencesWith(before, key).every((a) => from.has(a))
    )
      out.unshared.push(key);
  return out;
}

/** `view_state` rows with their values resolved (a shared entry's from `shared_values`). */
export const viewRows = (db: Db) =>
  db
    .selectFrom('view_state as v')
    .leftJoin('shared_values as s', (j) =>
      j.onRef('s.key', '=', 'v.key').on('v.value', '=', ''),
    )
    .select([
      'v.audience',
      'v.key',
      'v.space_id',
      sql<
        string | null
      >`CASE WHEN v.value = '' THEN s.value ELSE v.value END`.as('value'),
    ]);
