import { ReceiptsQuery, ReceiptsResponse } from '@keyway/protocol';
import { defineRoute } from '../http/route';
import { authorizeSpace } from '../policy/space';

export const receiptRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/spaces/{spaceId}/receipts',
    operationId: 'listReceipts',
    tag: 'sync',
    summary:
      'Delivery receipts: for each recent change, which phones, dashboards and units have it',
    auth: 'user',
    scope: 'members:read',
    query: ReceiptsQuery,
    responses: { 200: ReceiptsResponse },
    handler: async ({ ctx, principal, params, query }) => {
      await authorizeSpace(ctx, principal.userId, params.spaceId, 'admin.read');
      const rows =
        (await ctx.sync?.receipts.forSpace(params.spaceId, query.limit)) ?? [];
      const epoch = ctx.sync?.epoch ?? '';
      return {
        status: 200,
        body: {
          receipts: rows.map((r) => ({ ...r, cursor: `${epoch}.${r.cursor}` })),
        },
      };
    },
  }),
];
