import type { AppContext } from '../context';
import type { UnitsTable } from '../db/schema';
import { newId, newSecret } from '../ids';
import { hashSecret } from '../mqtt/secrets';
import { adminChange, inTransaction } from './tx';

/** A new unit with generated credentials; the password is shown once and only its hash is kept. */
export async function createUnit(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  name: string,
) {
  const password = newSecret(24);
  const row: UnitsTable = {
    id: newId('unit'),
    space_id: spaceId,
    name,
    password_hash: hashSecret(password),
    online: 0,
    last_seen_at: null,
    lat: null,
    lon: null,
    agent: null,
    relays: null,
    created_at: ctx.clock.now().toISOString(),
  };
  // Before the commit: the server keeps only the password's hash, so an account the broker
  // did not confirm could never be made later (a refusal throws broker_unavailable, no write).
  await ctx.accounts.create(row.id, password);
  await inTransaction(ctx, async (tx) => {
    await tx.audit(spaceId, { type: 'unit', id: row.id });
    await tx.focus(spaceId, { units: [row.id] });
    await tx.db.insertInto('units').values(row).execute();
    await tx.record(
      adminChange(
        spaceId,
        actorId,
        'unit.create',
        { id: row.id, name },
        { unitId: row.id },
      ),
    );
  }).catch(async (err) => {
    await ctx.accounts.remove(row.id).catch(() => {}); // the next reconcile removes it else
    throw err;
  });
  return {
    row,
    credentials: { username: row.id, password, mqttUrl: ctx.unitMqttUrl },
  };
}

/** New password for a unit (a stolen or reinstalled unit); its current connection is dropped. */
export async function resetUnitCredentials(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  unitId: string,
) {
  const password = newSecret(24);
  // Before the commit, as for a new unit; on Mosquitto this also drops the live connection.
  await ctx.accounts.reset(unitId, password);
  await inTransaction(ctx, async (tx) => {
    await tx.audit(spaceId, { type: 'unit', id: unitId });
    await tx.focus(spaceId, { units: [unitId] }, { moves: false });
    await tx.db
      .updateTable('units')
      .set({ password_hash: hashSecret(password) })
      .where('id', '=', unitId)
      .execute();
    await tx.record(
      adminChange(
        spaceId,
        actorId,
        'unit.credentials_reset',
        { id: unitId },
        { unitId },
      ),
    );
  });
  ctx.units.forget(unitId);
  return { username: unitId, password, mqttUrl: ctx.unitMqttUrl };
}

export async function renameUnit(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  unitId: string,
  name: string | undefined,
) {
  return inTransaction(ctx, async (tx) => {
    await tx.audit(spaceId, { type: 'unit', id: unitId });
    await tx.focus(spaceId, { units: [unitId] }, { moves: false });
    const updated =
      name === undefined
        ? undefined
        : await tx.db
            .updateTable('units')
            .set({ name })
            .where('id', '=', unitId)
            .returningAll()
            .executeTakeFirstOrThrow();
    await tx.record(
      adminChange(
        spaceId,
        actorId,
        'unit.update',
        { id: unitId, name },
        { unitId },
      ),
    );
    return (
      updated ??
      tx.db
        .selectFrom('units')
        .selectAll()
        .where('id', '=', unitId)
        .executeTakeFirstOrThrow()
    );
  });
}

/** Deletes a unit and the doors it drives. */
export async function deleteUnit(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  unitId: string,
) {
  await inTransaction(ctx, async (tx) => {
    await tx.audit(spaceId, { type: 'unit', id: unitId });
    await tx.focus(spaceId, { units: [unitId] });
    await tx.db.deleteFrom('units').where('id', '=', unitId).execute();
    await tx.record(
      adminChange(spaceId, actorId, 'unit.delete', { id: unitId }, { unitId }),
    );
  });
  ctx.units.forget(unitId);
  // After the commit: the unit is gone whatever the broker says; one that did not answer
  // loses the account at the next start's reconcile.
  await ctx.accounts
    .remove(unitId)
    .catch((err) =>
      ctx.log.warn(
        { category: 'mqtt', unitId, err },
        'broker account not removed yet: the next start removes it',
      ),
    );
}
