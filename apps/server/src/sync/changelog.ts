import type { AccessEvent } from '@keyway/protocol';
import { sql } from 'kysely';
import type { Db, Dialect } from '../db/connect';
import { newSecret } from '../ids';
import {
  deleteViewState,
  insertChanges,
  insertTargets,
  upsertShared,
  upsertViewState,
} from './bulk';
import { type Delta, diffViews, OpsPayloads, opsJson } from './delta';
import { type Focus, focusedDelta } from './focus';
import { getOrCreate } from './maps';
import { applyPatches, patchesBySpace, type ViewPatch } from './patches';
import { viewRows, viewStateWrites } from './shared';
import { loadFocusData, loadSpaceData } from './space-data';
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
  /**
   * The highest cursor in the log before these changes (read under the change-log lock). A node
   * that has delivered up to `prev` can deliver these next; one that has not reads the gap from
   * the log first (sync/sequencer.ts). Cursors themselves may skip numbers (a rolled-back insert).
   */
  prev?: number;
  /** Spaces whose nextChangeAt is a lower bound only (member-scoped recompute): schedule if earlier. */
  earlierOnly?: Set<string>;
  /** spaceId → the next instant its views change by time alone (null: never). */
  nextChangeAt: Map<string, Date | null>;
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

/** What one write transaction asks to be recomputed before it commits. */
export interface ChangeWork {
  /** Spaces rebuilt whole (a space's settings or admins changed). */
  full: Set<string>;
  /** Spaces rebuilt only where the focused members, units, doors and groups reach. */
  focus: Map<string, Focus>;
  /** Door sensor states and group renames, patched into the published views. */
  patches: ViewPatch[];
  events: AccessEvent[];
}

/** A space's views after the write: the delta to apply to `views` once committed. */
export interface Publication {
  /** `before` itself (`delta` is applied to it after commit), or a whole rebuild's new map. */
  views: Views;
  /** The views as published before this write (what `view_state` holds until it commits). */
  before: Views;
  delta: Delta;
  /** The space's version once this write commits (a new token when it wrote `view_state`). */
  version: string;
}

/** Beyond this many members a whole-space rebuild is cheaper than a focused one. */
const FOCUS_MAX_MEMBERS = 2000;

/**
 * Inside the writing transaction: recompute what the write changed in the views (a whole space,
 * a focus, or door-state patches), and append it — per audience, grouped by identical payload —
 * to the change log together with the transaction's access-log events.
 */
export async function appendChanges(
  db: Db,
  dialect: Dialect,
  work: ChangeWork,
  now: Date,
  cache?: ViewCache,
): Promise<ChangeBatch & { published: Map<string, Publication> }> {
  const published = new Map<string, Publication>();
  const nextChangeAt = new Map<string, Date | null>();
  const resyncUsers = new Set<string>();
  /** Spaces whose nextChangeAt is only a lower bound (focused): schedule it if earlier. */
  const hints = new Set<string>();
  const full = new Set(work.full);
  for (const [spaceId, f] of work.focus)
    if (f.members.size > FOCUS_MAX_MEMBERS) full.add(spaceId);

  for (const spaceId of full) {
    const data = await loadSpaceData(db, spaceId);
    const built = data
      ? buildSpaceViews(data, now)
      : { views: new Map<string, Map<string, string>>(), nextChangeAt: null };
    nextChangeAt.set(spaceId, built.nextChangeAt);
    const { views: oldViews, version } = await publishedViews(
      db,
      spaceId,
      cache,
    );
    for (const userId of adminSetChanges(
      oldViews.get(adminAudience(spaceId)),
      built.views.get(adminAudience(spaceId)),
    ))
      resyncUsers.add(userId);
    published.set(spaceId, {
      views: built.views,
      before: oldViews,
      delta: diffViews(oldViews, built.views),
      version,
    });
  }
  // A change to some members, units, doors or groups: rebuild just what depends on them. In a
  // space of 9,000 members or 5,000 units this is one entry instead of all of them.
  for (const [spaceId, focus] of work.focus) {
    if (full.has(spaceId)) continue;
    const data = await loadFocusData(db, spaceId, focus);
    if (!data) continue; // the space went: a whole rebuild of it is in `full`
    const built = buildSpaceViews(data, now);
    // Only ever earlier: the space's own timer may still be due for other members.
    if (built.nextChangeAt) nextChangeAt.set(spaceId, built.nextChangeAt);
    hints.add(spaceId);
    const { views, version } = await publishedViews(db, spaceId, cache);
    published.set(spaceId, {
      views,
      before: views,
      version,
      delta: focusedDelta(
        spaceId,
        focus,
        views,
        built.views,
        new Map(data.members.map((m) => [m.id, m.user_id])),
      ),
    });
  }
  // Door sensor states and group renames: patched into the published views (see patches.ts).
  for (const [spaceId, patches] of patchesBySpace(work.patches)) {
    if (full.has(spaceId)) continue;
    let p = published.get(spaceId);
    if (!p) {
      const { views, version } = await publishedViews(db, spaceId, cache);
      p = { views, before: views, delta: new Map(), version };
      published.set(spaceId, p);
    }
    await applyPatches(db, spaceId, p.views, p.delta, patches);
  }

  const perAudience = new Map<string, AudiencePayload>();
  const payloadOf = (audience: string) =>
    getOrCreate(perAudience, audience, (): AudiencePayload => ({}));
  for (const [spaceId, p] of published) {
    for (const [audience, entries] of p.delta)
      payloadOf(audience).ops = [...(payloadOf(audience).ops ?? []), entries];
    const rows = viewStateWrites(p.before, p.delta);
    if (
      rows.deletes.length ||
      rows.upserts.length ||
      rows.shared.size ||
      rows.unshared.length
    ) {
      p.version = newSecret(9);
      await upsertVersion(db, spaceId, p.version);
    }
    await deleteViewState(db, dialect, rows.deletes);
    await upsertViewState(db, dialect, spaceId, rows.upserts);
    await upsertShared(db, dialect, spaceId, [...rows.shared]);
    if (rows.unshared.length)
      await db
        .deleteFrom('shared_values')
        .where('key', 'in', rows.unshared)
        .execute();
  }
  for (const e of work.events) {
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
  const groups = new Map<string, { audiences: string[]; resync: boolean }>();
  const shared = new OpsPayloads();
  for (const [audience, p] of perAudience) {
    const json = payloadJson(p, shared);
    if (json === null) continue;
    const g = groups.get(json);
    if (g) g.audiences.push(audience);
    else groups.set(json, { audiences: [audience], resync: p.resync === true });
  }
  const at = now.toISOString();
  const changes: CommittedChange[] = [];
  const spaceOf =
    [...full, ...published.keys()][0] ?? work.events[0]?.spaceId ?? '';
  const prev = groups.size ? await headCursor(db) : undefined;
  const cursors = await insertChanges(db, dialect, spaceOf, at, [
    ...groups.keys(),
  ]);
  for (const [payload, { audiences, resync }] of groups) {
    const cursor = cursors.get(payload)!;
    changes.push({ cursor, at, payload, audiences, resync });
  }
  await insertTargets(db, dialect, changes);
  changes.sort((a, b) => a.cursor - b.cursor);
  await saveTimers(db, nextChangeAt, hints);
  return { changes, prev, nextChangeAt, published, earlierOnly: hints };
}

/** What one audience is sent: its ops (per space), the events it sees, and a resync request. */
interface AudiencePayload {
  ops?: Map<string, string | null>[];
  events?: AccessEvent[];
  resync?: boolean;
}

/** The JSON of a change's payload ({ops, events?, resync?}), built from already-serialized values; null when there is nothing. */
function payloadJson(p: AudiencePayload, shared: OpsPayloads): string | null {
  let ops: Map<string, string | null> | undefined;
  if (p.ops?.length === 1) ops = p.ops[0];
  else if (p.ops?.length) ops = new Map(p.ops.flatMap((m) => [...m]));
  if (!ops?.size && !p.events?.length && !p.resync) return null;
  if (ops && !p.events?.length && !p.resync) return shared.get(ops);
  let json = `{"ops":${ops ? opsJson(ops) : '[]'}`;
  if (p.events?.length) json += `,"events":${JSON.stringify(p.events)}`;
  if (p.resync) json += ',"resync":true';
  return `${json}}`;
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

/** The highest cursor in the log (0 when it is empty). */
export async function headCursor(db: Db): Promise<number> {
  const row = await db
    .selectFrom('changes')
    .select((eb) => eb.fn.max('cursor').as('c'))
    .executeTakeFirst();
  return Number(row?.c ?? 0);
}

async function upsertVersion(
  db: Db,
  spaceId: string,
  version: string,
): Promise<void> {
  await db
    .insertInto('view_versions')
    .values({ space_id: spaceId, version })
    .onConflict((oc) => oc.column('space_id').doUpdateSet({ version }))
    .execute();
}

/**
 * Each space's next time-driven change, kept where whichever node holds the scheduling lease
 * reads it (sync/leader.ts). A focused write's instant is a lower bound: it only moves a timer
 * earlier.
 */
async function saveTimers(
  db: Db,
  nextChangeAt: Map<string, Date | null>,
  earlierOnly: Set<string>,
): Promise<void> {
  for (const [spaceId, at] of nextChangeAt) {
    const value = at?.toISOString() ?? null;
    await db
      .insertInto('space_timers')
      .values({ space_id: spaceId, next_change_at: value })
      .onConflict((oc) =>
        oc.column('space_id').doUpdateSet((eb) => ({
          next_change_at:
            earlierOnly.has(spaceId) && value !== null
              ? eb
                  .case()
                  .when('space_timers.next_change_at', 'is', null)
                  .then(value)
                  .when('space_timers.next_change_at', '>', value)
                  .then(value)
                  .else(eb.ref('space_timers.next_change_at'))
                  .end()
              : value,
        })),
      )
      .execute();
  }
}

/**
 * The views last published for a space: from the cache while its version is the database's,
 * else from `view_state`. Read under the change-log lock, so no other node writes meanwhile.
 */
async function publishedViews(
  db: Db,
  spaceId: string,
  cache?: ViewCache,
): Promise<{ views: Views; version: string }> {
  const row = await db
    .selectFrom('view_versions')
    .select('version')
    .where('space_id', '=', spaceId)
    .executeTakeFirst();
  const version = row?.version ?? '';
  const cached = cache?.get(spaceId);
  if (cached && cached.version === version) return cached;
  const rows = await viewRows(db).where('v.space_id', '=', spaceId).execute();
  const views: Views = new Map();
  for (const r of rows)
    if (r.value !== null)
      getOrCreate(views, r.audience, () => new Map<string, string>()).set(
        r.key,
        r.value,
      );
  return { views, version };
}
