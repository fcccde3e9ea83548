import { EventsQuery, EventsResponse } from '@keyway/protocol';
import { defineRoute } from '../http/route';
import { authorizeSpace } from '../policy/space';
import { eventsPage } from '../queries/events';

export const eventRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/spaces/{spaceId}/events',
    operationId: 'listEvents',
    tag: 'events',
    summary:
      'The access log, newest first by when it happened (a member sees only her own events)',
    auth: 'user',
    scope: 'events:read',
    query: EventsQuery,
    responses: { 200: EventsResponse },
    handler: async ({ ctx, principal, params, query }) => {
      const role = await authorizeSpace(
        ctx,
        principal.userId,
        params.spaceId,
        'view',
      );
      return {
        status: 200,
        body: await eventsPage(
          ctx,
          params.spaceId,
          query,
          role === 'member' ? principal.userId : undefined,
        ),
      };
    },
  }),
];
