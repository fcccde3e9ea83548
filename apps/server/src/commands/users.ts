import type { Clock } from '../clock';
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

/**
 * Revokes one of the user's sessions (logout: her current one); false when it is not hers or
 * already revoked. The caller closes its sync sockets.
 */
export async function revokeSession(
  ctx: { db: Db; clock: Clock },
  userId: string,
  sessionId: string,
): Promise<boolean> {
  const res = await ctx.db
    .updateTable('sessions')
    .set({ revoked_at: ctx.clock.now().toISOString() })
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Sets the user's display name. */
export async function renameUser(
  ctx: { db: Db },
  userId: string,
  name: string | null,
): Promise<void> {
  await ctx.db
    .updateTable('users')
    .set({ name })
    .where('id', '=', userId)
    .execute();
}
