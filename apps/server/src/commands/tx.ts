import type { AccessEvent } from '@keyway/protocol';
import type { AppContext } from '../context';
import type { Db } from '../db/connect';
import type { NewEvent } from '../services/event-log';

export interface Tx {
  db: Db;
  /** Records an event in the same transaction; it is announced only after commit. */
  record(e: NewEvent): Promise<AccessEvent>;
}

/** Writes that belong together commit together; their events are emitted after the commit, never before. */
export async function inTransaction<T>(
  ctx: Pick<AppContext, 'db' | 'events'>,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const pending: AccessEvent[] = [];
  const result = await ctx.db.transaction().execute((trx) =>
    fn({
      db: trx,
      record: async (e) => {
        const ev = await ctx.events.append(e, trx);
        pending.push(ev);
        return ev;
      },
    }),
  );
  for (const ev of pending) ctx.events.emit(ev);
  return result;
}

/** The audit entry for an admin's change: who changed what. */
export function adminChange(
  spaceId: string,
  userId: string,
  action: string,
  target: { id: string; [k: string]: unknown },
  extra: Partial<NewEvent> = {},
): NewEvent {
  return { spaceId, type: 'admin.change', userId, reason: action, data: { action, ...target }, ...extra };
}
