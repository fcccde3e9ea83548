import type { Db } from '../db/connect';
import { AppError } from '../errors';

/**
 * Checks that ids named in a body belong to the space. Unknown ids and other tenants' ids get
 * the same 400 naming the field, so nothing reveals that another space's object exists.
 */
export async function assertInSpace(
  db: Db,
  table: 'units' | 'doors' | 'access_groups',
  spaceId: string,
  ids: string[],
  field: string,
): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  const found = await db
    .selectFrom(table)
    .select('id')
    .where('space_id', '=', spaceId)
    .where('id', 'in', unique)
    .execute();
  const have = new Set(found.map((r) => r.id));
  const missing = unique.filter((id) => !have.has(id));
  if (missing.length) {
    throw new AppError(
      'invalid_request',
      `Invalid body: ${field}.`,
      missing.map((id) => ({
        field,
        message: `no such ${table === 'access_groups' ? 'group' : table.slice(0, -1)} in this space: ${id}`,
      })),
    );
  }
}

/** Unique-constraint violations from either database. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e.code === '23505' ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(e.message ?? '')
  );
}
