import { type ApiScope, ApiScope as ApiScopeSchema } from '@keyway/protocol';
import type { AppContext } from '../context';
import { advisoryTransaction } from '../db/connect';
import { AppError } from '../errors';

/** An API key's secret: `kw_` and 32 random bytes, URL-safe (API.md "Integrations"). */
export const API_KEY_PREFIX = 'kw_';
export const isApiKeyToken = (token: string) =>
  token.startsWith(API_KEY_PREFIX);

/** What a request made with an API key may do: its one space and its scopes. */
export interface ApiKeyGrant {
  id: string;
  spaceId: string;
  name: string;
  scopes: readonly ApiScope[];
}

/** The stored scopes, by their schema; a scope this server no longer knows grants nothing. */
export function decodeScopes(json: string): ApiScope[] {
  const raw: unknown = JSON.parse(json);
  if (!Array.isArray(raw)) return [];
  return raw.filter((s): s is ApiScope => ApiScopeSchema.safeParse(s).success);
}

/**
 * Resolves a `kw_` token: unknown, revoked or expired → 401 at once; over its rate →
 * 429 with Retry-After. The count and "last used" are advisory writes (not waiting for the
 * disk): a power cut may give a key back a few requests of its minute, nothing else.
 */
export async function authenticateApiKey(
  ctx: Pick<AppContext, 'db' | 'dialect' | 'clock' | 'limiter' | 'config'>,
  tokenHash: string,
  ip: string,
): Promise<{ userId: string; apiKey: ApiKeyGrant }> {
  const row = await ctx.db
    .selectFrom('api_keys')
    .select([
      'id',
      'space_id',
      'user_id',
      'name',
      'scopes',
      'expires_at',
      'revoked_at',
      'last_used_at',
      'last_used_ip',
    ])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  const now = ctx.clock.now();
  if (!row || row.revoked_at)
    throw new AppError('unauthorized', 'That API key is not valid.');
  if (row.expires_at && Date.parse(row.expires_at) <= now.getTime())
    throw new AppError('unauthorized', 'That API key has expired.');
  await advisoryTransaction(ctx.db, ctx.dialect, async (trx) => {
    await ctx.limiter.hit(
      `key:${row.id}`,
      ctx.config.apiKeyRequestsPerMinute,
      60_000,
      trx,
    );
    const stale =
      !row.last_used_at ||
      now.getTime() - Date.parse(row.last_used_at) > 60_000 ||
      row.last_used_ip !== ip;
    if (stale)
      await trx
        .updateTable('api_keys')
        .set({ last_used_at: now.toISOString(), last_used_ip: ip })
        .where('id', '=', row.id)
        .execute();
  });
  return {
    userId: row.user_id,
    apiKey: {
      id: row.id,
      spaceId: row.space_id,
      name: row.name,
      scopes: decodeScopes(row.scopes),
    },
  };
}
