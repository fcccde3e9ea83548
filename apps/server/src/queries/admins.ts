import type { SpaceAdmin } from '@keyway/protocol';
import type { z } from 'zod';
import type { Reader } from './reader';

/** The space's admins, oldest first. */
export async function listAdmins(
  r: Reader,
  spaceId: string,
): Promise<z.infer<typeof SpaceAdmin>[]> {
  const rows = await r.db
    .selectFrom('space_admins as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select(['a.user_id', 'u.phone', 'u.name', 'a.role', 'a.created_at'])
    .where('a.space_id', '=', spaceId)
    .orderBy('a.created_at')
    .execute();
  return rows.map((row) => ({
    userId: row.user_id,
    phone: row.phone,
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
  }));
}

/** The phone number of one of the space's admins, or undefined. */
export async function adminPhone(
  r: Reader,
  spaceId: string,
  userId: string,
): Promise<string | undefined> {
  const row = await r.db
    .selectFrom('space_admins as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select('u.phone')
    .where('a.space_id', '=', spaceId)
    .where('a.user_id', '=', userId)
    .executeTakeFirst();
  return row?.phone;
}
