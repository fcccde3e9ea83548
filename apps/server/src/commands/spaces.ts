import type { CreateSpaceBody, UpdateSpaceBody } from '@keyway/protocol';
import type { z } from 'zod';
import type { AppContext } from '../context';
import type { SpacesTable } from '../db/schema';
import { newId } from '../ids';
import { adminChange, inTransaction } from './tx';

export async function createSpace(
  ctx: AppContext,
  userId: string,
  body: z.output<typeof CreateSpaceBody>,
): Promise<SpacesTable> {
  const now = ctx.clock.now().toISOString();
  const row: SpacesTable = {
    id: newId('sp'),
    name: body.name,
    timezone: body.timezone,
    lat: body.location?.lat ?? null,
    lon: body.location?.lon ?? null,
    geofence_meters: body.geofenceMeters ?? null,
    lockdown: 0,
    created_at: now,
  };
  await inTransaction(ctx, async (tx) => {
    await tx.audit(row.id, { type: 'space', id: row.id });
    await tx.db.insertInto('spaces').values(row).execute();
    await tx.db
      .insertInto('space_admins')
      .values({
        space_id: row.id,
        user_id: userId,
        role: 'owner',
        created_at: now,
      })
      .execute();
    await tx.record(
      adminChange(row.id, userId, 'space.create', {
        id: row.id,
        name: row.name,
      }),
    );
  });
  return row;
}

export async function updateSpace(
  ctx: AppContext,
  userId: string,
  spaceId: string,
  body: z.output<typeof UpdateSpaceBody>,
): Promise<SpacesTable> {
  return inTransaction(ctx, async (tx) => {
    await tx.audit(spaceId, { type: 'space', id: spaceId });
    // The space's own entries are patched. A new time zone or a lockdown also changes every
    // member's access status: her entries are rebuilt (a big space is rebuilt whole).
    tx.patchSpace(spaceId);
    if (body.timezone !== undefined || body.lockdown !== undefined) {
      const members = await tx.db
        .selectFrom('members')
        .select('id')
        .where('space_id', '=', spaceId)
        .execute();
      if (members.length)
        await tx.focus(spaceId, { members: members.map((m) => m.id) });
    }
    const set: Partial<SpacesTable> = {};
    if (body.name !== undefined) set.name = body.name;
    if (body.timezone !== undefined) set.timezone = body.timezone;
    if (body.location !== undefined) {
      set.lat = body.location?.lat ?? null;
      set.lon = body.location?.lon ?? null;
    }
    if (body.geofenceMeters !== undefined)
      set.geofence_meters = body.geofenceMeters;
    if (body.lockdown !== undefined) set.lockdown = body.lockdown ? 1 : 0;
    if (Object.keys(set).length)
      await tx.db
        .updateTable('spaces')
        .set(set)
        .where('id', '=', spaceId)
        .execute();
    await tx.record(
      adminChange(
        spaceId,
        userId,
        body.lockdown === undefined
          ? 'space.update'
          : body.lockdown
            ? 'space.lockdown'
            : 'space.lockdown_lifted',
        { id: spaceId, changes: body },
      ),
    );
    return tx.db
      .selectFrom('spaces')
      .selectAll()
      .where('id', '=', spaceId)
      .executeTakeFirstOrThrow();
  });
}

/** Deletes the space with everything in it (cascades), including its access log. */
export async function deleteSpace(
  ctx: AppContext,
  spaceId: string,
): Promise<string[]> {
  return inTransaction(ctx, async (tx) => {
    // The space's trail outlives it (no foreign key) until retention prunes it.
    await tx.audit(spaceId, { type: 'space', id: spaceId });
    const units = await tx.db
      .selectFrom('units')
      .select('id')
      .where('space_id', '=', spaceId)
      .execute();
    await tx.db.deleteFrom('events').where('space_id', '=', spaceId).execute();
    await tx.db.deleteFrom('spaces').where('id', '=', spaceId).execute();
    // Every view of the space empties: members, dashboards and units are told it is gone.
    tx.touch(spaceId);
    return units.map((u) => u.id);
  });
}
