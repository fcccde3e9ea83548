import type { Db } from '../db/connect';
import { newId } from '../ids';

/** The user for a phone number, created on first sight (login, or an admin adding her). */
export async function ensureUser(
  db: Db,
  phone: string,
  now: Date,
  name?: string | null,
): Promise<{ id: string; phone: string; name: string | null }> {
  await db
    .insertInto('users')
    .values({
      id: newId('usr'),
      phone,
      name: name ?? null,
      created_at: now.toISOString(),
    })
    .onConflict((oc) => oc.column('phone').doNothing())
    .execute();
  return db
    .selectFrom('users')
    .select(['id', 'phone', 'name'])
    .where('phone', '=', phone)
    .executeTakeFirstOrThrow();
}
