import { createHash } from 'node:crypto';
import type { AppContext } from '../context';
import { advisoryTransaction } from '../db/connect';
import { AppError } from '../errors';
import {
  type ApiKeyGrant,
  authenticateApiKey,
  isApiKeyToken,
} from '../services/api-key-auth';

/**
 * Who is calling: a person's session, or an API key (`apiKey` set, `sessionId` empty). A key
 * acts as a user of its own (`userId`), an admin of its one space only, within its scopes.
 */
export interface Principal {
  userId: string;
  sessionId: string;
  apiKey?: ApiKeyGrant;
}

export const hashToken = (token: string) =>
  createHash('sha256').update(token).digest('hex');

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1] ?? null;
}

/**
 * Resolves a session token or an API key (`kw_…`); a revoked or unknown token is 401 at once
 * (API.md: lost phone). `ip` is the caller's address: a key keeps its last one.
 */
export async function authenticate(
  ctx: Pick<AppContext, 'db' | 'dialect' | 'clock' | 'limiter' | 'config'>,
  token: string | null,
  ip: string,
): Promise<Principal> {
  if (!token)
    throw new AppError('unauthorized', 'Send Authorization: Bearer <token>.');
  if (isApiKeyToken(token)) {
    const key = await authenticateApiKey(ctx, hashToken(token), ip);
    return { userId: key.userId, sessionId: '', apiKey: key.apiKey };
  }
  const row = await ctx.db
    .selectFrom('sessions')
    .select(['id', 'user_id', 'revoked_at', 'last_seen_at'])
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.revoked_at)
    throw new AppError(
      'unauthorized',
      'That session is not valid; log in again.',
    );
  const now = ctx.clock.now();
  // Touch last_seen at most once a minute: keeps reads cheap on the open path. Advisory (not
  // waiting for the disk): a power cut may take back a minute of "last seen", nothing else.
  if (now.getTime() - Date.parse(row.last_seen_at) > 60_000) {
    await advisoryTransaction(ctx.db, ctx.dialect, (trx) =>
      trx
        .updateTable('sessions')
        .set({ last_seen_at: now.toISOString() })
        .where('id', '=', row.id)
        .execute(),
    );
  }
  return { userId: row.user_id, sessionId: row.id };
}
