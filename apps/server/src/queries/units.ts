import type { Unit } from '@keyway/protocol';
import { presentUnit } from '../presenters/unit';
import type { Reader } from './reader';

/** The space's units, in creation order. */
export async function listUnits(r: Reader, spaceId: string): Promise<Unit[]> {
  const rows = await r.db
    .selectFrom('units')
    .selectAll()
    .where('space_id', '=', spaceId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(presentUnit);
}

/** One unit by id (its existence checked by the policy before). */
export async function getUnit(r: Reader, id: string): Promise<Unit> {
  const row = await r.db
    .selectFrom('units')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return presentUnit(row);
}
