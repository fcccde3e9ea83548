import type { AdminRole } from '@keyway/protocol';
import type { AppContext } from '../context';
import { AppError, notFound } from '../errors';
import { adminChange, inTransaction, type Tx } from './tx';
import { ensureUser } from './users';

/** Adds (or changes the role of) an admin by phone number. */
export async function putAdmin(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  phone: string,
  role: AdminRole,
) {
  return inTransaction(ctx, async (tx) => {
    const now = ctx.clock.now().toISOString();
    const user = await ensureUser(tx.db, phone, ctx.clock.now());
    await tx.audit(spaceId, { type: 'admin', id: user.id });
    const existing = await tx.db
      .selectFrom('space_admins')
      .select('role')
      .where('space_id', '=', spaceId)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (existing) {
      if (existing.role === 'owner' && role !== 'owner')
        await assertAnotherOwner(tx, spaceId, user.id);
      await tx.db
        .updateTable('space_admins')
        .set({ role })
        .where('space_id', '=', spaceId)
        .where('user_id', '=', user.id)
        .execute();
    } else {
      await tx.db
        .insertInto('space_admins')
        .values({ space_id: spaceId, user_id: user.id, role, created_at: now })
        .execute();
    }
    await tx.record(
      adminChange(spaceId, actorId, 'admin.put', { id: user.id, phone, role }),
    );
    return {
      userId: user.id,
      phone: user.phone,
      name: user.name,
      role,
      createdAt: now,
    };
  });
}

export async function removeAdmin(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  userId: string,
) {
  await inTransaction(ctx, async (tx) => {
    await tx.audit(spaceId, { type: 'admin', id: userId });
    const existing = await tx.db
      .selectFrom('space_admins')
      .select('role')
      .where('space_id', '=', spaceId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!existing) throw notFound('No such admin.');
    if (existing.role === 'owner')
      await assertAnotherOwner(tx, spaceId, userId);
    await tx.db
      .deleteFrom('space_admins')
      .where('space_id', '=', spaceId)
      .where('user_id', '=', userId)
      .execute();
    await tx.record(
      adminChange(spaceId, actorId, 'admin.remove', { id: userId }),
    );
  });
}

async function assertAnotherOwner(tx: Tx, spaceId: string, userId: string) {
  const other = await tx.db
    .selectFrom('space_admins')
    .select('user_id')
    .where('space_id', '=', spaceId)
    .where('role', '=', 'owner')
    .where('user_id', '!=', userId)
    .executeTakeFirst();
  if (!other) throw new AppError('last_owner');
}
