import type { CreateDoorBody, UpdateDoorBody } from '@keyway/protocol';
import type { z } from 'zod';
import type { AppContext } from '../context';
import type { DoorsTable } from '../db/schema';
import { AppError } from '../errors';
import { newId } from '../ids';
import { assertInSpace, isUniqueViolation } from './refs';
import { adminChange, inTransaction } from './tx';

const relayInUse = (err: unknown) => {
  if (isUniqueViolation(err))
    throw new AppError('relay_in_use', undefined, [
      { field: 'relay', message: 'already used on that unit' },
    ]);
  throw err;
};

export async function createDoor(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  body: z.output<typeof CreateDoorBody>,
) {
  const row: DoorsTable = {
    id: newId('door'),
    space_id: spaceId,
    unit_id: body.unitId,
    name: body.name,
    relay: body.relay,
    pulse_ms: body.pulseMs ?? 500,
    sensor: body.sensor ? 1 : 0,
    state: 'unknown',
    state_since: null,
    created_at: ctx.clock.now().toISOString(),
  };
  return inTransaction(ctx, async (tx) => {
    await assertInSpace(tx.db, 'units', spaceId, [body.unitId], 'unitId');
    await tx.audit(spaceId, { type: 'door', id: row.id });
    await tx.focus(spaceId, { doors: [row.id], units: [row.unit_id] });
    await tx.db.insertInto('doors').values(row).execute().catch(relayInUse);
    await tx.record(
      adminChange(
        spaceId,
        actorId,
        'door.create',
        { id: row.id, name: row.name, unitId: row.unit_id, relay: row.relay },
        { doorId: row.id },
      ),
    );
    return row;
  });
}

export async function updateDoor(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  doorId: string,
  body: z.output<typeof UpdateDoorBody>,
) {
  return inTransaction(ctx, async (tx) => {
    await tx.audit(spaceId, { type: 'door', id: doorId });
    if (body.unitId !== undefined)
      await assertInSpace(tx.db, 'units', spaceId, [body.unitId], 'unitId');
    await tx.focus(
      spaceId,
      { doors: [doorId] },
      { moves: body.unitId !== undefined },
    );
    const set: Partial<DoorsTable> = {};
    if (body.name !== undefined) set.name = body.name;
    if (body.unitId !== undefined) set.unit_id = body.unitId;
    if (body.relay !== undefined) set.relay = body.relay;
    if (body.pulseMs !== undefined) set.pulse_ms = body.pulseMs;
    if (body.sensor !== undefined) {
      set.sensor = body.sensor ? 1 : 0;
      if (!body.sensor) set.state = 'unknown';
    }
    const updated = Object.keys(set).length
      ? await tx.db
          .updateTable('doors')
          .set(set)
          .where('id', '=', doorId)
          .returningAll()
          .executeTakeFirstOrThrow()
          .catch(relayInUse)
      : undefined;
    await tx.record(
      adminChange(
        spaceId,
        actorId,
        'door.update',
        { id: doorId, changes: body },
        { doorId },
      ),
    );
    return (
      updated ??
      tx.db
        .selectFrom('doors')
        .selectAll()
        .where('id', '=', doorId)
        .executeTakeFirstOrThrow()
    );
  });
}

export async function deleteDoor(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  doorId: string,
) {
  await inTransaction(ctx, async (tx) => {
    await tx.audit(spaceId, { type: 'door', id: doorId });
    await tx.focus(spaceId, { doors: [doorId] });
    await tx.db.deleteFrom('doors').where('id', '=', doorId).execute();
    await tx.record(
      adminChange(spaceId, actorId, 'door.delete', { id: doorId }, { doorId }),
    );
  });
}
