import type {
  CreateDoorBody,
  DoorWarning,
  UpdateDoorBody,
} from '@keyway/protocol';
import type { z } from 'zod';
import type { AppContext } from '../context';
import type { Db } from '../db/connect';
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

/**
 * A door's relay against the count its unit announced (issue 25 item 7): beyond it → 409
 * relay_not_announced; a unit that has not announced yet → allowed, with a warning. Called
 * after the unit was found in the space, so another tenant's unit reveals nothing.
 */
async function checkRelay(
  db: Db,
  unitId: string,
  relay: number,
): Promise<z.infer<typeof DoorWarning>[]> {
  const unit = await db
    .selectFrom('units')
    .select('relays')
    .where('id', '=', unitId)
    .executeTakeFirst();
  if (!unit || unit.relays === null)
    return [
      {
        code: 'relay_unconfirmed',
        message: `The unit has not announced its relays yet: relay ${relay} is not checked.`,
      },
    ];
  if (relay > unit.relays)
    throw new AppError(
      'relay_not_announced',
      `The unit announced ${unit.relays} relay${unit.relays === 1 ? '' : 's'}; relay ${relay} is not one of them.`,
      [{ field: 'relay', message: `1–${unit.relays} on this unit` }],
    );
  return [];
}

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
    const warnings = await checkRelay(tx.db, body.unitId, body.relay);
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
    return { row, warnings };
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
    let warnings: z.infer<typeof DoorWarning>[] = [];
    if (body.unitId !== undefined || body.relay !== undefined) {
      const door = await tx.db
        .selectFrom('doors')
        .select(['unit_id', 'relay'])
        .where('id', '=', doorId)
        .executeTakeFirstOrThrow();
      warnings = await checkRelay(
        tx.db,
        body.unitId ?? door.unit_id,
        body.relay ?? door.relay,
      );
    }
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
    const row =
      updated ??
      (await tx.db
        .selectFrom('doors')
        .selectAll()
        .where('id', '=', doorId)
        .executeTakeFirstOrThrow());
    return { row, warnings };
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
