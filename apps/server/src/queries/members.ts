import type { Member } from '@keyway/protocol';
import { decodeAccess } from '../db/access';
import type { Db } from '../db/connect';
import { notFound } from '../errors';
import type { Reader } from './reader';

/** Loads members with their phone numbers and group ids, in creation order. */
export async function loadMembers(
  db: Db,
  where: { spaceId?: string; ids?: string[] },
): Promise<Member[]> {
  let q = db
    .selectFrom('members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select([
      'm.id',
      'm.space_id',
      'm.user_id',
      'm.name',
      'm.access',
      'm.geofence_meters',
      'm.created_at',
      'u.phone',
    ]);
  if (where.spaceId) q = q.where('m.space_id', '=', where.spaceId);
  if (where.ids) {
    if (where.ids.length === 0) return [];
    q = q.where('m.id', 'in', where.ids);
  }
  const rows = await q.orderBy('m.created_at').orderBy('m.id').execute();
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('member_groups')
    .select(['member_id', 'group_id'])
    .where(
      'member_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('group_id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    spaceId: r.space_id,
    userId: r.user_id,
    phone: r.phone,
    name: r.name,
    groupIds: links.filter((l) => l.member_id === r.id).map((l) => l.group_id),
    access: decodeAccess(r.access),
    geofenceMeters: r.geofence_meters,
    createdAt: r.created_at,
  }));
}

/** The space's members, in creation order. */
export const listMembers = (r: Reader, spaceId: string) =>
  loadMembers(r.db, { spaceId });

/** One member, or 404. */
export async function getMember(r: Reader, id: string): Promise<Member> {
  const [m] = await loadMembers(r.db, { ids: [id] });
  if (!m) throw notFound('No such member.');
  return m;
}
