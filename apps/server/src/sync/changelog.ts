import type { AccessEvent, ViewOp } from '@keyway/protocol';
import { sql } from 'kysely';
import type { Db, Dialect } from '../db/connect';
import { newSecret } from '../ids';
import { getOrCreate } from './maps';
import { loadSpaceData } from './space-data';
import type { ViewCache } from './view-cache';
import {
  adminAudience,
  buildSpaceViews,
  memberAudience,
  type Views,
} from './views';

/** One committed row of the change log, as fanned out to its audiences. */
export interface CommittedChange {
  cursor: number;
  at: string;
  /** The JSON of {ops, events?, resync?}: serialized once, sent to every socket of every audience. */
  payload: string;
  audiences: string[];
  /** The payload asks its audiences for a fresh snapshot (known once, not scanned per socket). */
  resync: boolean;
}

export interface ChangeBatch {
  changes: CommittedChange[];
  /** Spaces whose nextChangeAt is a lower bound only (member-scoped recompute): schedule if earlier. */
  earlierOnly?: Set<string>;
  /** spaceId → the next instant its views change by time alone (null: never). */
  nextChangeAt: Map<string, Date | null>;
}

export interface ChangePayload {
  ops: ViewOp[];
  events?: AccessEvent[];
  /** The audience set of these users changed (admin role added or removed): send a fresh snapshot. */
  resync?: true;
}

/**
 * Serialises writers so that cursors are assigned in commit order (issue #3: a client reading
 * `cursor > C` must never miss a change that commits later with a smaller cursor). SQLite has a
 * single writer already; PostgreSQL takes a transaction-scoped advisory lock.
 */
export async function lockChangeLog(db: Db, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres')
    await sql`SELECT pg_advisory_xact_lock(72451)`.execute(db);
}

/**
 * Inside the writing transaction: recompute the views of every touched space, diff them against
 * the last published ones, and append what changed — per audience, grouped by identical payload —
 * to the change log together with the transaction's access-log events.
 */
/** A door's sensor state, patched into the published views without recomputing the space. */
export interface DoorStatePatch {
  spaceId: string;
  doorId: string;
  state: string;
  since: string;
}

export async function appendChanges(
  db: Db,
  touched: Set<string>,
  events: AccessEvent[],
  now: Date,
  cache?: ViewCache,
  doorStates: DoorStatePatch[] = [],
  memberScopes: Map<string, Set<string>> = new Map(),
): Promise<ChangeBatch & { published: Map<string, Views> }> {
  const published = new Map<string, Views>();
  const perAudience = new Map<string, ChangePayload>();
  const payloadOf = (audience: string) =>
    getOrCreate(perAudience, audience, (): ChangePayload => ({ ops: [] }));
  const nextChangeAt = new Map<string, Date | null>();
  const resyncUsers = new Set<string>();
  /** Spaces whose nextChangeAt is only a lower bound (member-scoped): schedule it if earlier. */
  const hints = new Set<string>();
  const publish = async (spaceId: string, oldViews: Views, newViews: Views) => {
    published.set(spaceId, newViews);
    const diff = diffViews(spaceId, oldViews, newViews);
    for (const [audience, ops] of diff.ops)
      payloadOf(audience).ops.push(...ops);
    await writeViewState(db, diff.upserts, diff.deletes);
  };

  for (const spaceId of touched) {
    const data = await loadSpaceData(db, spaceId);
    const built = data
      ? buildSpaceViews(data, now)
      : { views: new Map<string, Map<string, string>>(), nextChangeAt: null };
    nextChangeAt.set(spaceId, built.nextChangeAt);
    const oldViews = await publishedViews(db, spaceId, cache);
    for (const userId of adminSetChanges(
      oldViews.get(adminAudience(spaceId)),
      built.views.get(adminAudience(spaceId)),
    ))
      resyncUsers.add(userId);
    await publish(spaceId, oldViews, built.views);
  }
  // A change to some members only (add, edit, revoke): rebuild just their entries. In a space of
  // 9,000 members this is the difference between one view and nine thousand.
  for (const [spaceId, memberIds] of memberScopes) {
    if (touched.has(spaceId)) continue;
    const ids = [...memberIds];
    const data = await loadSpaceData(db, spaceId, ids);
    const built = data
      ? buildSpaceViews(data, now)
      : { views: new Map<string, Map<string, string>>(), nextChangeAt: null };
    const oldViews = await publishedViews(db, spaceId, cache);
    // Only ever earlier: the space's own timer may still be due for other members.
    if (built.nextChangeAt) nextChangeAt.set(spaceId, built.nextChangeAt);
    hints.add(spaceId);
    await publish(
      spaceId,
      oldViews,
      replaceMemberEntries(spaceId, ids, oldViews, built.views),
    );
  }
  // Sensor reports are frequent (two per open): patch the door's entries in the published views
  // instead of recomputing the whole space. The result is what a recompute would give.
  for (const [spaceId, patches] of groupPatches(doorStates)) {
    if (touched.has(spaceId)) continue;
    const oldViews = await publishedViews(db, spaceId, cache);
    await publish(
      spaceId,
      oldViews,
      patchDoorStates(spaceId, oldViews, patches),
    );
  }

  for (const e of events) {
    const admins = payloadOf(adminAudience(e.spaceId));
    admins.events = [...(admins.events ?? []), e];
    // A member sees her own attempts (history on her phone).
    // …but not an attempt on a door she cannot see: that would reveal another tenant's ids.
    if (e.type === 'door.open' && e.userId && e.data?.visible !== false) {
      const p = payloadOf(memberAudience(e.userId));
      p.events = [...(p.events ?? []), e];
    }
  }
  for (const userId of resyncUsers)
    payloadOf(memberAudience(userId)).resync = true;

  // Group audiences that receive identical bytes: one log row, one serialization, many targets.
  const groups = new Map<string, string[]>();
  for (const [audience, p] of perAudience) {
    const json = JSON.stringify(p);
    const list = groups.get(json);
    if (list) list.push(audience);
    else groups.set(json, [audience]);
  }
  const at = now.toISOString();
  const changes: CommittedChange[] = [];
  const spaceOf = [...touched][0] ?? events[0]?.spaceId ?? '';
  for (const [payload, audiences] of groups) {
    const row = await db
      .insertInto('changes')
      .values({ space_id: spaceOf, at, payload })
      .returning('cursor')
      .executeTakeFirstOrThrow();
    const cursor = Number(row.cursor);
    for (let i = 0; i < audiences.length; i += 500) {
      await db
        .insertInto('change_targets')
        .values(
          audiences.slice(i, i + 500).map((audience) => ({ audience, cursor })),
        )
        .execute();
    }
    changes.push({
      cursor,
      at,
      payload,
      audiences,
      resync: payload.includes('"resync":true'),
    });
  }
  return { changes, nextChangeAt, published, earlierOnly: hints };
}

/** Users who became or stopped being admins (any role) of the space. */
function adminSetChanges(
  before: Map<string, string> | undefined,
  after: Map<string, string> | undefined,
): string[] {
  const ids = (m: Map<string, string> | undefined) =>
    new Set(
      [...(m?.keys() ?? [])]
        .filter((k) => k.split('/')[1] === 'admin.admin')
        .map((k) => k.split('/')[2]!),
    );
  const b = ids(before);
  const a = ids(after);
  return [...new Set([...b, ...a])].filter((id) => b.has(id) !== a.has(id));
}

async function writeViewState(
  db: Db,
  upserts: { audience: string; key: string; space_id: string; value: string }[],
  deletes: { audience: string; key: string }[],
) {
  const byAudience = new Map<string, string[]>();
  for (const d of deletes)
    byAudience.set(d.audience, [...(byAudience.get(d.audience) ?? []), d.key]);
  for (const [audience, keys] of byAudience) {
    for (let i = 0; i < keys.length; i += 500) {
      await db
        .deleteFrom('view_state')
        .where('audience', '=', audience)
        .where('key', 'in', keys.slice(i, i + 500))
        .execute();
    }
  }
  for (let i = 0; i < upserts.length; i += 200) {
    await db
      .insertInto('view_state')
      .values(upserts.slice(i, i + 200))
      .onConflict((oc) =>
        oc
          .columns(['audience', 'key'])
          .doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
      )
      .execute();
  }
}

/** The log's epoch: a new one whenever the log is truncated or rebuilt, so old cursors get a snapshot. */
export async function loadEpoch(
  db: Db,
): Promise<{ epoch: string; minCursor: number }> {
  const row = await db
    .selectFrom('sync_meta')
    .selectAll()
    .where('id', '=', 1)
    .executeTakeFirst();
  if (row) return { epoch: row.epoch, minCursor: Number(row.min_cursor) };
  const epoch = newSecret(6);
  await db
    .insertInto('sync_meta')
    .values({ id: 1, epoch, min_cursor: 0 })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return loadEpoch(db);
}

/** The views last published for a space: from the cache, else from `view_state`. */
async function publishedViews(
  db: Db,
  spaceId: string,
  cache?: ViewCache,
): Promise<Views> {
  const cached = cache?.get(spaceId);
  if (cached) return cached;
  const rows = await db
    .selectFrom('view_state')
    .select(['audience', 'key', 'value'])
    .where('space_id', '=', spaceId)
    .execute();
  const views: Views = new Map();
  for (const r of rows)
    getOrCreate(views, r.audience, () => new Map<string, string>()).set(
      r.key,
      r.value,
    );
  return views;
}

/** Per audience, the ops that turn `before` into `after`, and the rows to write. */
function diffViews(spaceId: string, before: Views, after: Views) {
  const ops = new Map<string, ViewOp[]>();
  const upserts: {
    audience: string;
    key: string;
    space_id: string;
    value: string;
  }[] = [];
  const deletes: { audience: string; key: string }[] = [];
  for (const audience of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(audience) ?? new Map<string, string>();
    const a = after.get(audience) ?? new Map<string, string>();
    if (a === b) continue;
    const list: ViewOp[] = [];
    for (const [key] of b) {
      if (!a.has(key)) {
        list.push({ op: 'del', key });
        deletes.push({ audience, key });
      }
    }
    for (const [key, value] of a) {
      if (b.get(key) !== value) {
        list.push({ op: 'put', key, value: JSON.parse(value) });
        upserts.push({ audience, key, space_id: spaceId, value });
      }
    }
    if (list.length)
      ops.set(
        audience,
        list.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)),
      );
  }
  return { ops, upserts, deletes };
}

function groupPatches(
  patches: DoorStatePatch[],
): Map<string, DoorStatePatch[]> {
  const out = new Map<string, DoorStatePatch[]>();
  for (const p of patches) getOrCreate(out, p.spaceId, () => []).push(p);
  return out;
}

/** A copy of `views` with the doors' state and stateSince replaced (the cached maps stay untouched). */
function patchDoorStates(
  spaceId: string,
  views: Views,
  patches: DoorStatePatch[],
): Views {
  const out: Views = new Map(views);
  for (const [audience, entries] of views) {
    let copy: Map<string, string> | null = null;
    for (const p of patches) {
      for (const kind of ['admin.door', 'door'] as const) {
        const key = `${spaceId}/${kind}/${p.doorId}`;
        const json = (copy ?? entries).get(key);
        if (json === undefined) continue;
        const value = JSON.parse(json) as Record<string, unknown>;
        value.state = p.state;
        value.stateSince = p.since;
        copy ??= new Map(entries);
        copy.set(key, JSON.stringify(value));
      }
    }
    if (copy) out.set(audience, copy);
  }
  return out;
}

/**
 * `views` with the entries that belong to these members replaced by those of `partial` (built
 * from the space with only these members): their whole view of the space on their phones, their
 * admin.member entry, and their unit.access entries. Everything else is shared, untouched.
 */
function replaceMemberEntries(
  spaceId: string,
  memberIds: string[],
  views: Views,
  partial: Views,
): Views {
  const out: Views = new Map(views);
  const admin = adminAudience(spaceId);
  const prefix = `${spaceId}/`;
  // Her user id: from the rebuilt entry, or from the published one when she was just removed.
  const userIds = new Set<string>();
  for (const source of [views.get(admin), partial.get(admin)]) {
    for (const id of memberIds) {
      const json = source?.get(`${spaceId}/admin.member/${id}`);
      if (json) userIds.add((JSON.parse(json) as { userId: string }).userId);
    }
  }
  const owned = (audience: string, key: string) => {
    if (audience.startsWith('u:'))
      return userIds.has(audience.slice(2)) && key.startsWith(prefix);
    const [, kind, id] = key.split('/');
    if (audience === admin)
      return kind === 'admin.member' && memberIds.includes(id!);
    return (
      audience.startsWith('n:') &&
      kind === 'unit.access' &&
      memberIds.includes(id!)
    );
  };
  const audiences = new Set([
    ...[...userIds].map((u) => `u:${u}`),
    admin,
    ...[...views.keys(), ...partial.keys()].filter((a) => a.startsWith('n:')),
  ]);
  for (const audience of audiences) {
    const before = views.get(audience);
    const next = new Map<string, string>();
    for (const [key, value] of before ?? [])
      if (!owned(audience, key)) next.set(key, value);
    for (const [key, value] of partial.get(audience) ?? [])
      if (owned(audience, key)) next.set(key, value);
    if (next.size) out.set(audience, next);
    else out.delete(audience);
  }
  return out;
}
