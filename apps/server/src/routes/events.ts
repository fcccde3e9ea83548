import { EventsQuery, EventsResponse } from '@keyway/protocol';
import { AppError } from '../errors';
import { defineRoute } from '../http/route';
import { authorizeSpace } from '../policy/space';
import { presentEvent } from '../presenters/event';

export const eventRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/spaces/{spaceId}/events',
    operationId: 'listEvents',
    tag: 'events',
    summary:
      'The access log, newest first by when it happened (a member sees only her own events)',
    auth: 'user',
    query: EventsQuery,
    responses: { 200: EventsResponse },
    handler: async ({ ctx, principal, params, query }) => {
      const role = await authorizeSpace(
        ctx,
        principal.userId,
        params.spaceId,
        'view',
      );
      let q = ctx.db
        .selectFrom('events')
        .selectAll()
        .where('space_id', '=', params.spaceId);
      if (role === 'member') q = q.where('user_id', '=', principal.userId);
      if (query.doorId) q = q.where('door_id', '=', query.doorId);
      if (query.memberId) q = q.where('member_id', '=', query.memberId);
      if (query.type) q = q.where('type', '=', query.type);
      if (query.from)
        q = q.where('at', '>=', new Date(query.from).toISOString());
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
        const anchor = await ctx.db
          .selectFrom('events')
          .select('at')
          .where('space_id', '=', params.spaceId)
          .where('seq', '=', seq)
          .executeTakeFirst();
        if (!anchor)
          return { status: 200, body: { events: [], nextCursor: null } };
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
      return {
        status: 200,
        body: { events: page.map(presentEvent), nextCursor },
      };
    },
  }),
];
