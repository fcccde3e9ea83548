import type { Reader } from './reader';

/** The user's id, phone and name. */
export const getUser = (r: Reader, userId: string) =>
  r.db
    .selectFrom('users')
    .select(['id', 'phone', 'name'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();

/** The user's sessions that are not revoked, oldest first; `current` marks the caller's. */
export async function activeSessions(
  r: Reader,
  userId: string,
  currentSessionId: string,
) {
  const rows = await r.db
    .selectFrom('sessions')
    .select(['id', 'device_name', 'created_at', 'last_seen_at'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at')
    .execute();
  return rows.map((s) => ({
    id: s.id,
    deviceName: s.device_name,
    createdAt: s.created_at,
    lastSeenAt: s.last_seen_at,
    current: s.id === currentSessionId,
  }));
}
