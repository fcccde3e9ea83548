import {
  canAdminister,
  type SpaceAction,
  type SpaceRole,
} from '@keyway/protocol';
import type { AppContext } from '../context';
import type { Db } from '../db/connect';
import { AppError, notFound } from '../errors';

export type { SpaceAction, SpaceRole } from '@keyway/protocol';

export async function roleIn(
  db: Db,
  userId: string,
  spaceId: string,
): Promise<SpaceRole | null> {
  const admin = await db
    .selectFrom('space_admins')
    .select('role')
    .where('space_id', '=', spaceId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (admin) return admin.role;
  const member = await db
    .selectFrom('members')
    .select('id')
    .where('space_id', '=', spaceId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (member) return 'member';
  // An API key's own user (commands/api-keys.ts) is an admin of its one space, while the key
  // lives; what it may do there is narrowed by its scopes at the edge (http/app.ts).
  const key = await db
    .selectFrom('api_keys')
    .select('id')
    .where('space_id', '=', spaceId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return key ? 'admin' : null;
}

/** The policy itself lives in the protocol package, shared with the web apps. */
export const allows = (role: SpaceRole, action: SpaceAction) =>
  canAdminister(role, action);

/**
 * The one answer for "not yours" and "does not exist" is 404 (API.md); a relation without
 * the needed role is 403 — a viewer who tries to write, a member who tries to administer.
 */
export async function authorizeSpace(
  ctx: Pick<AppContext, 'db'>,
  userId: string,
  spaceId: string,
  action: SpaceAction,
): Promise<SpaceRole> {
  const role = await roleIn(ctx.db, userId, spaceId);
  if (!role) throw notFound('No such space.');
  if (!allows(role, action)) {
    throw new AppError(
      'forbidden',
      role === 'viewer'
        ? action === 'audit.read'
          ? 'Only the space’s owners and admins can read its audit trail.'
          : 'Viewers can only read.'
        : 'Only the space’s admins can do that.',
    );
  }
  return role;
}
