import type { AccessEvent, EventsQuery } from '@keyway/protocol';
import type { z } from 'zod';
import { AppError } from '../errors';
import { presentEvent } from '../presenters/event';
import type { Reader } from './reader';

/**
 * One page of the space's access log, newest first by when it happened (`at`, then `seq`); for
 * a member (`memberUserId`), only her own events. The cursor is the last row's seq: the next
 * page goes on below that row's place.
 */
export async function eventsPage(
  r: Reader,
  spaceId: string,
  query: z.infer<typeof EventsQuery>,
  memberUserId?: string,
): Promise<{ events: AccessEvent[]; nextCursor: string | null }> {
  let q = r.db.selectFrom('events').selectAll().where('space_id', '=', spaceId);
  if (memberUserId !== undefined) q = q.where('user_id', '=', memberUserId);
  if (query.doorId) q = q.where('door_id', '=', query.doorId);
  if (query.memberId) q = q.where('member_id', '=', query.memberId);
  if (query.type) q = q.where('type', '=', query.type);
  if (query.from) q = q.where('at', '>=', new Date(query.from).toISOString());
  if (query.to) q = q.where('at', '<=', new Date(query.to).toISOString());
  if (query.cursor) {
    if (!/^\d{1,15}$/.test(query.cursor)) {
      throw new AppError('invalid_request', 'Invalid query: cursor.', [
        { field: 'cursor', message: 'use nextCursor from a previous page' },
      ]);
    }
    // Ordered by `at` (a unit's replayed event goes at its own time, issue 25 item 3), then
    // seq: the cursor is the last row's seq, and the page goes on below that row's place.
    const seq = Number(query.cursor);
    const anchor = await r.db
      .selectFrom('events')
      .select('at')
      .where('space_id', '=', spaceId)
      .where('seq', '=', seq)
      .executeTakeFirst();
    if (!anchor) return { events: [], nextCursor: null };
    q = q.where((eb) =>
      eb.or([
        eb('at', '<', anchor.at),
        eb.and([eb('at', '=', anchor.at), eb('seq', '<', seq)]),
      ]),
    );
  }
  const rows = await q
    .orderBy('at', 'desc')
    .orderBy('seq', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > query.limit && last ? String(last.seq) : null;
  return { events: page.map(presentEvent), nextCursor };
}
