import type { CreateGroupBody, UpdateGroupBody } from '@keyway/protocol';
import type { z } from 'zod';
import type { AppContext } from '../context';
import type { GroupsTable } from '../db/schema';
import { newId } from '../ids';
import { assertInSpace } from './refs';
import { adminChange, inTransaction, type Tx } from './tx';

async function setDoors(tx: Tx, groupId: string, doorIds: string[]) {
  await tx.db
    .deleteFrom('group_doors')
    .where('group_id', '=', groupId)
    .execute();
  const unique = [...new Set(doorIds)];
  if (unique.length)
    await tx.db
      .insertInto('group_doors')
      .values(unique.map((door_id) => ({ group_id: groupId, door_id })))
      .execute();
}

export async function createGroup(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  body: z.output<typeof CreateGroupBody>,
) {
  const row: GroupsTable = {
    id: newId('grp'),
    space_id: spaceId,
    name: body.name,
    geofence_meters: body.geofenceMeters ?? null,
    created_at: ctx.clock.now().toISOString(),
  };
  return inTransaction(ctx, async (tx) => {
    await assertInSpace(tx.db, 'doors', spaceId, body.doorIds, 'doorIds');
    await tx.audit(spaceId, { type: 'group', id: row.id });
    await tx.focus(spaceId, { groups: [row.id] });
    await tx.db.insertInto('access_groups').values(row).execute();
    await setDoors(tx, row.id, body.doorIds);
    await tx.record(
      adminChange(spaceId, actorId, 'group.create', {
        id: row.id,
        name: row.name,
        doorIds: body.doorIds,
      }),
    );
    return row;
  });
}

export async function updateGroup(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  groupId: string,
  body: z.output<typeof UpdateGroupBody>,
) {
  return inTransaction(ctx, async (tx) => {
    await tx.audit(spaceId, { type: 'group', id: groupId });
    // New doors change her doors and units' access lists: rebuild the members. A new name or
    // geofence is one new value on every member's phone: patch it.
    if (body.doorIds) await tx.focus(spaceId, { groups: [groupId] });
    else tx.patchGroup(spaceId, groupId);
    if (body.doorIds) {
      await assertInSpace(tx.db, 'doors', spaceId, body.doorIds, 'doorIds');
      await setDoors(tx, groupId, body.doorIds);
    }
    const set: Partial<GroupsTable> = {};
    if (body.name !== undefined) set.name = body.name;
    if (body.geofenceMeters !== undefined)
      set.geofence_meters = body.geofenceMeters;
    if (Object.keys(set).length)
      await tx.db
        .updateTable('access_groups')
        .set(set)
        .where('id', '=', groupId)
        .execute();
    await tx.record(
      adminChange(spaceId, actorId, 'group.update', {
        id: groupId,
        changes: body,
      }),
    );
    return tx.db
      .selectFrom('access_groups')
      .selectAll()
      .where('id', '=', groupId)
      .executeTakeFirstOrThrow();
  });
}

export async function deleteGroup(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  groupId: string,
) {
  await inTransaction(ctx, async (tx) => {
    await tx.audit(spaceId, { type: 'group', id: groupId });
    await tx.focus(spaceId, { groups: [groupId] });
    await tx.db.deleteFrom('access_groups').where('id', '=', groupId).execute();
    await tx.record(
      adminChange(spaceId, actorId, 'group.delete', { id: groupId }),
    );
  });
}
