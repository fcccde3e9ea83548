import type { AccessEvent } from '@keyway/protocol';
import type { AppContext } from '../context';
import type { Db } from '../db/connect';
import type { NewEvent } from '../services/event-log';
import {
  appendChanges,
  type DoorStatePatch,
  lockChangeLog,
} from '../sync/changelog';
import { getOrCreate } from '../sync/maps';

export interface Tx {
  db: Db;
  /** Records an access-log event in the same transaction; it is announced only after commit. */
  record(e: NewEvent): Promise<AccessEvent>;
  /** Marks a space whose views may have changed: they are recomputed and diffed before commit. */
  touch(spaceId: string): void;
  /** Only these members' access changed (add, edit, revoke): cheaper than `touch` for big spaces. */
  touchMember(spaceId: string, memberId: string): void;
  /** A door sensor change: patched into the published views (cheaper than `touch`). */
  doorState(patch: DoorStatePatch): void;
}

type TxContext = Pick<
  AppContext,
  'db' | 'dialect' | 'events' | 'clock' | 'bus' | 'viewCache'
>;

/**
 * The one write path. The rows, their access-log events and the change-log entries they cause
 * commit together (transactional outbox); listeners and sockets hear of them only after commit.
 */
export async function inTransaction<T>(
  ctx: TxContext,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const events: AccessEvent[] = [];
  const touched = new Set<string>();
  const doorStates: DoorStatePatch[] = [];
  const autoTouched = new Set<string>();
  const memberScopes = new Map<string, Set<string>>();
  const { result, batch } = await ctx.db.transaction().execute(async (trx) => {
    await lockChangeLog(trx, ctx.dialect);
    const result = await fn({
      db: trx,
      record: async (e) => {
        const ev = await ctx.events.append(e, trx);
        events.push(ev);
        // An admin's change is a change of data: the space's views are recomputed.
        if (e.type === 'admin.change') autoTouched.add(e.spaceId);
        return ev;
      },
      touch: (spaceId) => touched.add(spaceId),
      doorState: (patch) => doorStates.push(patch),
      touchMember: (spaceId, memberId) =>
        getOrCreate(memberScopes, spaceId, () => new Set<string>()).add(
          memberId,
        ),
    });
    // An admin's change recomputes its space, unless the command said it only touched members.
    for (const spaceId of autoTouched)
      if (!memberScopes.has(spaceId)) touched.add(spaceId);
    const batch =
      touched.size || events.length || doorStates.length || memberScopes.size
        ? await appendChanges(
            trx,
            touched,
            events,
            ctx.clock.now(),
            ctx.viewCache,
            doorStates,
            memberScopes,
          )
        : null;
    return { result, batch };
  });
  if (batch)
    for (const [spaceId, views] of batch.published)
      ctx.viewCache.set(spaceId, views);
  for (const ev of events) ctx.events.emit(ev);
  if (batch)
    ctx.bus.publish({
      changes: batch.changes,
      nextChangeAt: batch.nextChangeAt,
      earlierOnly: batch.earlierOnly,
    });
  return result;
}

/** A standalone access-log entry (an open attempt, a sensor or presence report), with its change. */
export function recordEvent(ctx: TxContext, e: NewEvent): Promise<AccessEvent> {
  return inTransaction(ctx, (tx) => tx.record(e));
}

/** The audit entry for an admin's change: who changed what. */
export function adminChange(
  spaceId: string,
  userId: string,
  action: string,
  target: { id: string; [k: string]: unknown },
  extra: Partial<NewEvent> = {},
): NewEvent {
  return {
    spaceId,
    type: 'admin.change',
    userId,
    reason: action,
    data: { action, ...target },
    ...extra,
  };
}
