import type { Space } from '@keyway/protocol';
import type { SpaceRole } from '../policy/space';
import { presentSpace } from '../presenters/space';
import type { Reader } from './reader';

/** Every space the user administers or is a member of, oldest first, with her role in each. */
export async function listSpacesOf(
  r: Reader,
  userId: string,
): Promise<Space[]> {
  const admin = await r.db
    .selectFrom('space_admins as a')
    .innerJoin('spaces as s', 's.id', 'a.space_id')
    .selectAll('s')
    .select('a.role')
    .where('a.user_id', '=', userId)
    .execute();
  const member = await r.db
    .selectFrom('members as m')
    .innerJoin('spaces as s', 's.id', 'm.space_id')
    .selectAll('s')
    .where('m.user_id', '=', userId)
    .execute();
  const seen = new Set(admin.map((row) => row.id));
  return [
    ...admin.map((row) => presentSpace(row, row.role)),
    ...member
      .filter((row) => !seen.has(row.id))
      .map((row) => presentSpace(row, 'member' as SpaceRole)),
  ].sort(
    (a, b) =>
      a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
  );
}

/** One space as the caller sees it (her role checked by the policy before). */
export async function getSpace(
  r: Reader,
  id: string,
  role: SpaceRole,
): Promise<Space> {
  const row = await r.db
    .selectFrom('spaces')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return presentSpace(row, role);
}
