import type { AuditEntry, AuditQuery } from '@keyway/protocol';
import type { z } from 'zod';
import { AppError } from '../errors';
import { presentAudit } from '../services/audit-log';
import type { Reader } from './reader';

/** One page of a space's trail, newest first; `nextCursor` is null on the last page. */
export async function listAudit(
  r: Reader,
  spaceId: string,
  query: Omit<z.output<typeof AuditQuery>, 'limit'> & { limit: number },
): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  let q = r.db
    .selectFrom('audit_log')
    .selectAll()
    .where('space_id', '=', spaceId);
  if (query.actor) q = q.where('actor_user_id', '=', query.actor);
  if (query.objectType) q = q.where('object_type', '=', query.objectType);
  if (query.from) q = q.where('at', '>=', new Date(query.from).toISOString());
  if (query.until) q = q.where('at', '<=', new Date(query.until).toISOString());
  if (query.cursor) {
    if (!/^\d{1,15}$/.test(query.cursor))
      throw new AppError('invalid_request', 'Invalid query: cursor.', [
        { field: 'cursor', message: 'use nextCursor from a previous page' },
      ]);
    q = q.where('seq', '<', Number(query.cursor));
  }
  const rows = await q
    .orderBy('seq', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    entries: page.map(presentAudit),
    nextCursor: rows.length > query.limit && last ? String(last.seq) : null,
  };
}
