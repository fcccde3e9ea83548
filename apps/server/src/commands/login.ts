import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../context';
import { AppError } from '../errors';
import { hashToken } from '../http/authenticate';
import { newId, newSecret } from '../ids';
import { ensureUser } from './users';

const HOUR = 3_600_000;
const codeHash = (phone: string, code: string) =>
  createHash('sha256').update(`${phone}:${code}`).digest('hex');

/** Sends a fresh 6-digit single-use code by SMS; a new request replaces the previous code. */
export async function requestCode(
  ctx: AppContext,
  phone: string,
  ip: string,
): Promise<{ expiresInSeconds: number }> {
  const { config, clock } = ctx;
  ctx.limiter.hit(`ip:${ip}`, config.authRequestsPerIpPerMinute, 60_000);
  ctx.limiter.hit(`code:${phone}`, config.codesPerPhonePerHour, HOUR);
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const now = clock.now();
  const row = {
    phone,
    code_hash: codeHash(phone, code),
    expires_at: new Date(
      now.getTime() + config.codeTtlSeconds * 1000,
    ).toISOString(),
    attempts: 0,
    created_at: now.toISOString(),
  };
  await ctx.db
    .insertInto('auth_codes')
    .values(row)
    .onConflict((oc) =>
      oc.column('phone').doUpdateSet({
        code_hash: row.code_hash,
        expires_at: row.expires_at,
        attempts: 0,
        created_at: row.created_at,
      }),
    )
    .execute();
  await ctx.sms.send({
    to: phone,
    text: `Your Keyway code is ${code}. It expires in ${Math.round(config.codeTtlSeconds / 60)} minutes.`,
    code,
  });
  return { expiresInSeconds: config.codeTtlSeconds };
}

/** Checks a code (bounded tries, single use) and opens a session. */
export async function verifyCode(
  ctx: AppContext,
  phone: string,
  code: string,
  deviceName: string | undefined,
  ip: string,
) {
  const { config, clock, db } = ctx;
  ctx.limiter.hit(`ip:${ip}`, config.authRequestsPerIpPerMinute, 60_000);
  const now = clock.now();
  // Claim one try in a single statement before comparing: guesses sent at once cannot share a try.
  const row = await db
    .updateTable('auth_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('phone', '=', phone)
    .where('attempts', '<', config.codeMaxAttempts)
    .returningAll()
    .executeTakeFirst();
  if (!row || Date.parse(row.expires_at) <= now.getTime()) {
    throw new AppError(
      'invalid_code',
      'That code is wrong or has expired; ask for a new one.',
    );
  }
  const given = Buffer.from(codeHash(phone, code));
  if (!timingSafeEqual(given, Buffer.from(row.code_hash))) {
    if (row.attempts >= config.codeMaxAttempts)
      await db
        .deleteFrom('auth_codes')
        .where('phone', '=', phone)
        .where('code_hash', '=', row.code_hash)
        .execute();
    throw new AppError('invalid_code', 'That code is wrong or has expired.', {
      attemptsLeft: Math.max(0, config.codeMaxAttempts - row.attempts),
    });
  }
  const token = newSecret(32);
  return db.transaction().execute(async (trx) => {
    // Single use: whoever deletes the row wins; a concurrent second verify finds nothing.
    const burnt = await trx
      .deleteFrom('auth_codes')
      .where('phone', '=', phone)
      .where('code_hash', '=', row.code_hash)
      .executeTakeFirst();
    if (Number(burnt.numDeletedRows) !== 1) throw new AppError('invalid_code');
    const user = await ensureUser(trx, phone, now);
    const sessionId = newId('ses');
    await trx
      .insertInto('sessions')
      .values({
        id: sessionId,
        user_id: user.id,
        token_hash: hashToken(token),
        device_name: deviceName ?? null,
        created_at: now.toISOString(),
        last_seen_at: now.toISOString(),
        revoked_at: null,
      })
      .execute();
    return { token, user, session: { id: sessionId } };
  });
}
