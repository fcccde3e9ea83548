import type { CreateMemberBody, UpdateMemberBody } from '@keyway/protocol';
import type { z } from 'zod';
import type { AppContext } from '../context';
import type { MembersTable } from '../db/schema';
import { AppError } from '../errors';
import { newId } from '../ids';
import { assertInSpace, isUniqueViolation } from './refs';
import { adminChange, inTransaction, type Tx } from './tx';
import { ensureUser } from './users';

async function setGroups(tx: Tx, memberId: string, groupIds: string[]) {
  await tx.db
    .deleteFrom('member_groups')
    .where('member_id', '=', memberId)
    .execute();
  const unique = [...new Set(groupIds)];
  if (unique.length)
    await tx.db
      .insertInto('member_groups')
      .values(unique.map((group_id) => ({ member_id: memberId, group_id })))
      .execute();
}

export async function createMember(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  phone: string,
  body: z.output<typeof CreateMemberBody>,
) {
  return inTransaction(ctx, async (tx) => {
    await assertInSpace(
      tx.db,
      'access_groups',
      spaceId,
      body.groupIds,
      'groupIds',
    );
    const user = await ensureUser(tx.db, phone, ctx.clock.now(), body.name);
    const id = newId('mem');
    await tx.audit(spaceId, { type: 'member', id });
    const row: MembersTable = {
      id,
      space_id: spaceId,
      user_id: user.id,
      name: body.name ?? null,
      access: body.access ? JSON.stringify(body.access) : null,
      geofence_meters: body.geofenceMeters ?? null,
      created_at: ctx.clock.now().toISOString(),
    };
    await tx.db
      .insertInto('members')
      .values(row)
      .execute()
      .catch((err) => {
        if (isUniqueViolation(err))
          throw new AppError(
            'conflict',
            'That phone number is already a member of this space.',
            [{ field: 'phone', message: 'already a member' }],
          );
        throw err;
      });
    await tx.focus(spaceId, { members: [row.id] });
    await setGroups(tx, row.id, body.groupIds);
    await tx.record(
      adminChange(
        spaceId,
        actorId,
        'member.create',
        {
          id: row.id,
          phone,
          groupIds: body.groupIds,
          access: body.access ?? null,
        },
        { memberId: row.id },
      ),
    );
    return row.id;
  });
}

export async function updateMember(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  memberId: string,
  body: z.output<typeof UpdateMemberBody>,
) {
  await inTransaction(ctx, async (tx) => {
    await tx.audit(spaceId, { type: 'member', id: memberId });
    await tx.focus(spaceId, { members: [memberId] });
    if (body.groupIds) {
      await assertInSpace(
        tx.db,
        'access_groups',
        spaceId,
        body.groupIds,
        'groupIds',
      );
      await setGroups(tx, memberId, body.groupIds);
    }
    const set: Partial<MembersTable> = {};
    if (body.name !== undefined) set.name = body.name;
    if (body.access !== undefined)
      set.access = body.access ? JSON.stringify(body.access) : null;
    if (body.geofenceMeters !== undefined)
      set.geofence_meters = body.geofenceMeters;
    if (Object.keys(set).length)
      await tx.db
        .updateTable('members')
        .set(set)
        .where('id', '=', memberId)
        .execute();
    await tx.record(
      adminChange(
        spaceId,
        actorId,
        'member.update',
        { id: memberId, changes: body },
        { memberId },
      ),
    );
  });
}

/** Revocation: the member row goes; her next open is refused at once (nothing is cached). */
export async function deleteMember(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  memberId: string,
) {
  await inTransaction(ctx, async (tx) => {
    await tx.audit(spaceId, { type: 'member', id: memberId });
    await tx.focus(spaceId, { members: [memberId] });
    await tx.db.deleteFrom('members').where('id', '=', memberId).execute();
    await tx.record(
      adminChange(
        spaceId,
        actorId,
        'member.delete',
        { id: memberId },
        { memberId },
      ),
    );
  });
}
