import type { ApiKey } from '@keyway/protocol';
import { presentApiKey } from '../presenters/api-key';
import type { Reader } from './reader';

/** The space's live keys (not revoked), in creation order; expired ones too, marked by expiresAt. */
export async function listApiKeys(
  r: Reader,
  spaceId: string,
): Promise<ApiKey[]> {
  const rows = await r.db
    .selectFrom('api_keys')
    .selectAll()
    .where('space_id', '=', spaceId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(presentApiKey);
}

/** One key by id, revoked or not; undefined when there is none. */
export async function findApiKey(r: Reader, id: string) {
  return r.db
    .selectFrom('api_keys')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
}
