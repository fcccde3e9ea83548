import type { Db, Dialect } from '../db/connect';
import type { ChangeBatch } from './bus';
import { viewRows } from './shared';
import { adminAudience, memberAudience } from './views';

/** The audiences one user's sockets follow: her own (member) view and each space she administers. */
export async function audiencesOf(db: Db, userId: string): Promise<string[]> {
  const admin = await db
    .selectFrom('space_admins')
    .select('space_id')
    .where('user_id', '=', userId)
    .orderBy('space_id')
    .execute();
  return [
    memberAudience(userId),
    ...admin.map((a) => adminAudience(a.space_id)),
  ];
}

/** A consistent read of the views of these audiences and the cursor they are at. */
export async function readSnapshot(
  db: Db,
  dialect: Dialect,
  audiences: string[],
): Promise<{ cursor: number; view: Record<string, unknown> }> {
  let tx = db.transaction();
  if (dialect === 'postgres') tx = tx.setIsolationLevel('repeatable read');
  return tx.execute(async (trx) => {
    const max = await trx
      .selectFrom('changes')
      .select((eb) => eb.fn.max('cursor').as('c'))
      .executeTakeFirst();
    const rows = await viewRows(trx)
      .where('v.audience', 'in', audiences)
      .execute();
    const view: Record<string, unknown> = {};
    for (const r of rows)
      if (r.value !== null) view[r.key] = JSON.parse(r.value);
    return { cursor: Number(max?.c ?? 0), view };
  });
}

/**
 * The first `limit` changes for these audiences after a cursor, in commit order (resume). The
 * limit counts changes, not rows: a change for two of the client's audiences is one change
 * (with both). Each audience is read from its own index range, at most `limit` entries, so a
 * client far behind costs `limit` rows per audience, not everything since its cursor.
 */
export async function readChangesSince(
  db: Db,
  audiences: string[],
  after: number,
  limit = 10_000,
): Promise<ChangeBatch['changes']> {
  if (!audiences.length) return [];
  const first = audiences
    .map((audience) =>
      db
        .selectFrom((eb) =>
          eb
            .selectFrom('change_targets')
            .select('cursor')
            .where('audience', '=', audience)
            .where('cursor', '>', after)
            .orderBy('cursor')
            .limit(limit)
            .as('a'),
        )
        .select('a.cursor'),
    )
    .reduce((all, one) => all.union(one));
  const rows = await db
    .selectFrom('change_targets as t')
    .innerJoin('changes as c', 'c.cursor', 't.cursor')
    .select(['c.cursor', 'c.at', 'c.payload', 't.audience'])
    .where('t.audience', 'in', audiences)
    .where('t.cursor', 'in', (eb) =>
      eb
        .selectFrom(first.as('f'))
        .select('f.cursor')
        .orderBy('f.cursor')
        .limit(limit),
    )
    .orderBy('t.cursor')
    .orderBy('t.audience')
    .execute();
  const out: ChangeBatch['changes'] = [];
  for (const r of rows) {
    const cursor = Number(r.cursor);
    const last = out[out.length - 1];
    if (last && last.cursor === cursor) last.audiences.push(r.audience);
    else
      out.push({
        cursor,
        at: r.at,
        payload: r.payload,
        audiences: [r.audience],
        resync: r.payload.includes('"resync":true'),
      });
  }
  return out;
}

/** The changes after a cursor, with the log's bounds read in the same consistent snapshot. */
export async function readResume(
  db: Db,
  dialect: Dialect,
  audiences: string[],
  after: number,
  limit: number,
): Promise<{
  changes: ChangeBatch['changes'];
  maxCursor: number;
  minCursor: number;
}> {
  let tx = db.transaction();
  if (dialect === 'postgres') tx = tx.setIsolationLevel('repeatable read');
  return tx.execute(async (trx) => {
    const max = await trx
      .selectFrom('changes')
      .select((eb) => eb.fn.max('cursor').as('c'))
      .executeTakeFirst();
    const meta = await trx
      .selectFrom('sync_meta')
      .select('min_cursor')
      .where('id', '=', 1)
      .executeTakeFirst();
    const changes = await readChangesSince(trx, audiences, after, limit);
    return {
      changes,
      maxCursor: Number(max?.c ?? 0),
      minCursor: Number(meta?.min_cursor ?? 0),
    };
  });
}

/**
 * Every change with a cursor in (after, upTo], with all its audiences, in commit order: what a
 * node missed on the bus (sync/sequencer.ts). At most `limit` changes; the caller reads again
 * from the last one it got.
 */
export async function readChangeRange(
  db: Db,
  after: number,
  upTo: number,
  limit = 1000,
): Promise<ChangeBatch['changes']> {
  const rows = await db
    .selectFrom('changes as c')
    .innerJoin('change_targets as t', 't.cursor', 'c.cursor')
    .select(['c.cursor', 'c.at', 'c.payload', 't.audience'])
    .where('c.cursor', 'in', (eb) =>
      eb
        .selectFrom('changes')
        .select('cursor')
        .where('cursor', '>', after)
        .where('cursor', '<=', upTo)
        .orderBy('cursor')
        .limit(limit),
    )
    .orderBy('c.cursor')
    .orderBy('t.audience')
    .execute();
  const out: ChangeBatch['changes'] = [];
  for (const r of rows) {
    const cursor = Number(r.cursor);
    const last = out[out.length - 1];
    if (last && last.cursor === cursor) last.audiences.push(r.audience);
    else
      out.push({
        cursor,
        at: r.at,
        payload: r.payload,
        audiences: [r.audience],
        resync: r.payload.includes('"resync":true'),
      });
  }
  return out;
}
