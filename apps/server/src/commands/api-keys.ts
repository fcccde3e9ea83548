import { randomBytes } from 'node:crypto';
import type { CreateApiKeyBody } from '@keyway/protocol';
import type { AppContext } from '../context';
import type { ApiKeysTable } from '../db/schema';
import { AppError } from '../errors';
import { hashToken } from '../http/authenticate';
import { newId } from '../ids';
import { API_KEY_PREFIX } from '../services/api-key-auth';
import { adminChange, inTransaction } from './tx';

/** A new secret: `kw_` and 32 random bytes (43 URL-safe characters); only its hash is kept. */
function newSecret(): { secret: string; hash: string; prefix: string } {
  const secret = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { secret, hash: hashToken(secret), prefix: secret.slice(0, 7) };
}

/**
 * A key for one space. It gets a user of its own, named after it, which is no member and no
 * admin of any space: policy/space.ts makes it an admin of this space only, and the access log
 * and the audit trail name it. The secret is returned here once.
 */
export async function createApiKey(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  body: CreateApiKeyBody,
): Promise<{ row: ApiKeysTable; secret: string }> {
  const now = ctx.clock.now();
  if (body.expiresAt && Date.parse(body.expiresAt) <= now.getTime())
    throw new AppError('invalid_request', 'Invalid body: expiresAt.', [
      { field: 'expiresAt', message: 'must lie in the future' },
    ]);
  const { secret, hash, prefix } = newSecret();
  const row: ApiKeysTable = {
    id: newId('key'),
    space_id: spaceId,
    user_id: newId('usr'),
    name: body.name,
    scopes: JSON.stringify([...new Set(body.scopes)].sort()),
    token_hash: hash,
    prefix,
    created_by: actorId,
    created_at: now.toISOString(),
    expires_at: body.expiresAt
      ? new Date(Date.parse(body.expiresAt)).toISOString()
      : null,
    last_used_at: null,
    last_used_ip: null,
    revoked_at: null,
  };
  await inTransaction(ctx, async (tx) => {
    await tx.audit(spaceId, { type: 'api_key', id: row.id });
    await tx.db
      .insertInto('users')
      .values({
        id: row.user_id,
        // Phones are unique and never start with "key:": no login can reach this user.
        phone: `key:${row.id}`,
        name: `API key “${row.name}”`,
        created_at: row.created_at,
      })
      .execute();
    await tx.db.insertInto('api_keys').values(row).execute();
    await tx.record(
      adminChange(spaceId, actorId, 'api_key.create', {
        id: row.id,
        name: row.name,
        scopes: JSON.parse(row.scopes),
      }),
    );
  });
  return { row, secret };
}

/** A new secret for the key; the old one answers 401 from the commit on. */
export async function rotateApiKey(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  keyId: string,
): Promise<{ row: ApiKeysTable; secret: string }> {
  const { secret, hash, prefix } = newSecret();
  const row = await inTransaction(ctx, async (tx) => {
    await tx.audit(spaceId, { type: 'api_key', id: keyId });
    const updated = await tx.db
      .updateTable('api_keys')
      .set({ token_hash: hash, prefix })
      .where('id', '=', keyId)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw new AppError('not_found', 'No such API key.');
    await tx.record(
      adminChange(spaceId, actorId, 'api_key.rotate', {
        id: keyId,
        name: updated.name,
      }),
    );
    return updated;
  });
  return { row, secret };
}

/** The key stops at once; its row stays for the trail that names it. */
export async function revokeApiKey(
  ctx: AppContext,
  actorId: string,
  spaceId: string,
  keyId: string,
): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    await tx.audit(spaceId, { type: 'api_key', id: keyId });
    const revoked = await tx.db
      .updateTable('api_keys')
      .set({ revoked_at: ctx.clock.now().toISOString() })
      .where('id', '=', keyId)
      .where('revoked_at', 'is', null)
      .returning(['name'])
      .executeTakeFirst();
    if (!revoked) throw new AppError('not_found', 'No such API key.');
    await tx.record(
      adminChange(spaceId, actorId, 'api_key.revoke', {
        id: keyId,
        name: revoked.name,
      }),
    );
  });
}
