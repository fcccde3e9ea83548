import { AuditCsvQuery, AuditQuery, AuditResponse } from '@keyway/protocol';
import { z } from 'zod';
import { defineRoute } from '../http/route';
import { authorizeSpace } from '../policy/space';
import { listAudit } from '../queries/audit';
import { auditCsv } from '../services/audit-log';

/**
 * The audit trail, read only: no route changes or deletes an entry (retention prunes them,
 * services/audit-log.ts). Owners and admins of the space; a viewer or member 403, anyone else 404.
 */
export const auditRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/spaces/{spaceId}/audit',
    operationId: 'listAudit',
    tag: 'audit',
    summary:
      'The audit trail: every admin action, newest first, with who, when, from which session, and the object before and after (owners and admins)',
    auth: 'user',
    scope: 'audit:read',
    query: AuditQuery,
    responses: { 200: AuditResponse },
    handler: async ({ ctx, principal, params, query }) => {
      await authorizeSpace(ctx, principal.userId, params.spaceId, 'audit.read');
      return {
        status: 200,
        body: await listAudit(ctx, params.spaceId, query),
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/spaces/{spaceId}/audit.csv',
    operationId: 'exportAuditCsv',
    tag: 'audit',
    summary:
      'The audit trail as CSV with a header row, same filters (up to 10,000 rows; Keyway-Next-Cursor when more match)',
    auth: 'user',
    scope: 'audit:read',
    query: AuditCsvQuery,
    responses: { 200: z.string() },
    produces: 'text/csv',
    handler: async ({ ctx, principal, params, query }) => {
      await authorizeSpace(ctx, principal.userId, params.spaceId, 'audit.read');
      const page = await listAudit(ctx, params.spaceId, query);
      return {
        status: 200,
        body: auditCsv(page.entries),
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="audit-${params.spaceId.replace(/[^\w.-]/g, '_')}.csv"`,
          'cache-control': 'no-store',
          ...(page.nextCursor ? { 'keyway-next-cursor': page.nextCursor } : {}),
        },
      };
    },
  }),
];
