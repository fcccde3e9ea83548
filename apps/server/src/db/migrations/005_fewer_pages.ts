import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../connect';

// biome-ignore lint/suspicious/noExplicitAny: migrations run on the untyped schema by design
type Db = Kysely<any>;

/**
 * Fewer B-trees touched by each edit. A commit's time on disk grows with the pages it writes
 * (an admin's door edit wrote 14 WAL frames, each a whole page): this drops three of them.
 * - The events' door and unit indexes keep only the rows that name a door or a unit (an admin's
 *   member edit names neither, a door edit no unit); every query that reads them names one.
 * - SQLite: the change log and the events lose AUTOINCREMENT, whose counters live in one more
 *   table (`sqlite_sequence`) written by every insert. A new row still takes the largest key
 *   plus one, and retention always keeps the log's newest change, so no cursor is ever reused;
 *   an event's `seq` orders one space's events and only a deleted space drops its newest ones.
 * - SQLite: `change_targets` is stored in its primary key (WITHOUT ROWID), one B-tree less.
 * The tables are rebuilt in one transaction with their rows, keys and indexes.
 */
export const fewerPages = (dialect: Dialect): Migration => ({
  async up(db: Db) {
    if (dialect === 'postgres') {
      await eventIndexes(db, { partial: true, drop: true });
      return;
    }
    await db.connection().execute((conn) =>
      conn.transaction().execute(async (trx) => {
        await rebuild(
          trx,
          'changes',
          `cursor INTEGER PRIMARY KEY, space_id TEXT NOT NULL, at TEXT NOT NULL,
            payload TEXT NOT NULL`,
          'cursor, space_id, at, payload',
        );
        await sql`CREATE INDEX changes_space_cursor ON changes (space_id, cursor)`.execute(
          trx,
        );
        await rebuild(
          trx,
          'change_targets',
          `audience TEXT NOT NULL, cursor BIGINT NOT NULL,
            CONSTRAINT change_targets_pk PRIMARY KEY (audience, cursor)`,
          'audience, cursor',
          'WITHOUT ROWID',
        );
        await sql`CREATE INDEX change_targets_cursor ON change_targets (cursor)`.execute(
          trx,
        );
        await rebuild(
          trx,
          'events',
          `seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, space_id TEXT NOT NULL,
            at TEXT NOT NULL, type TEXT NOT NULL, door_id TEXT, unit_id TEXT, user_id TEXT,
            member_id TEXT, result TEXT, reason TEXT, data TEXT`,
          `seq, id, space_id, at, type, door_id, unit_id, user_id, member_id, result, reason,
            data`,
        );
        await sql`CREATE INDEX events_space_seq ON events (space_id, seq)`.execute(
          trx,
        );
        await eventIndexes(trx, { partial: true, drop: false });
      }),
    );
  },
  async down(db: Db) {
    // The whole indexes serve the same queries; the SQLite tables keep their new form.
    await eventIndexes(db, { partial: false, drop: true });
  },
});

/** Copies `table`'s `copied` columns into a new table of `columns`, which takes its name. */
async function rebuild(
  db: Db,
  table: string,
  columns: string,
  copied: string,
  options = '',
): Promise<void> {
  const next = `${table}_next`;
  await sql.raw(`CREATE TABLE ${next} (${columns}) ${options}`).execute(db);
  await sql
    .raw(`INSERT INTO ${next} (${copied}) SELECT ${copied} FROM ${table}`)
    .execute(db);
  await sql.raw(`DROP TABLE ${table}`).execute(db);
  await sql.raw(`ALTER TABLE ${next} RENAME TO ${table}`).execute(db);
}

/**
 * The events' door and unit indexes, (re)created: partial (only rows naming a door or a unit),
 * or whole as migration 001 made them. `drop` first drops the ones in place.
 */
async function eventIndexes(
  db: Db,
  opts: { partial: boolean; drop: boolean },
): Promise<void> {
  for (const column of ['door_id', 'unit_id'] as const) {
    const name = column === 'door_id' ? 'events_door_at' : 'events_unit_at';
    if (opts.drop) await db.schema.dropIndex(name).ifExists().execute();
    const index = db.schema
      .createIndex(name)
      .on('events')
      .columns([column, 'at']);
    await (opts.partial
      ? index.where(sql.ref(column), 'is not', null)
      : index
    ).execute();
  }
}
