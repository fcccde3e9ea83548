import type { ApiKey } from '@keyway/protocol';
import type { ApiKeysTable } from '../db/schema';
import { decodeScopes } from '../services/api-key-auth';

/** A key as every answer shows it: never its secret or its hash. */
export function presentApiKey(row: ApiKeysTable): ApiKey {
  return {
    id: row.id,
    spaceId: row.space_id,
    name: row.name,
    scopes: decodeScopes(row.scopes),
    prefix: row.prefix,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    lastUsedIp: row.last_used_ip,
    createdAt: row.created_at,
  };
}
