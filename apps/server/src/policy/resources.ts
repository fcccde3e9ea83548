import type { AppContext } from '../context';
import { notFound } from '../errors';
import { authorizeSpace, type SpaceAction, type SpaceRole } from './space';

type Table = 'doors' | 'units' | 'access_groups' | 'members' | 'api_keys';
const NAMES: Record<Table, string> = {
  api_keys: 'API key',
  doors: 'door',
  units: 'unit',
  access_groups: 'group',
  members: 'member',
};

/** Finds which space owns a door, unit, group or member, then applies the space policy; 404 when either fails. */
export async function authorizeResource(
  ctx: Pick<AppContext, 'db'>,
  userId: string,
  table: Table,
  id: string,
  action: SpaceAction,
): Promise<{ spaceId: string; role: SpaceRole }> {
  const row = await ctx.db
    .selectFrom(table)
    .select('space_id')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound(`No such ${NAMES[table]}.`);
  try {
    const role = await authorizeSpace(ctx, userId, row.space_id, action);
    return { spaceId: row.space_id, role };
  } catch (err) {
    if ((err as { code?: string }).code === 'not_found')
      throw notFound(`No such ${NAMES[table]}.`);
    throw err;
  }
}

/** A member may see a door when one of her groups includes it; admins of any role see all of the space's doors. */
export async function authorizeDoorView(
  ctx: Pick<AppContext, 'db'>,
  userId: string,
  doorId: string,
): Promise<{ spaceId: string; role: SpaceRole }> {
  const { spaceId, role } = await authorizeResource(
    ctx,
    userId,
    'doors',
    doorId,
    'view',
  );
  if (role !== 'member') return { spaceId, role };
  const granted = await ctx.db
    .selectFrom('members as m')
    .innerJoin('member_groups as mg', 'mg.member_id', 'm.id')
    .innerJoin('group_doors as gd', 'gd.group_id', 'mg.group_id')
    .select('m.id')
    .where('m.user_id', '=', userId)
    .where('m.space_id', '=', spaceId)
    .where('gd.door_id', '=', doorId)
    .executeTakeFirst();
  if (!granted) throw notFound('No such door.');
  return { spaceId, role };
}
