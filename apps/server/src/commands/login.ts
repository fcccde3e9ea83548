import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../context';
import { AppError } from '../errors';
import { hashToken } from '../http/authenticate';
import { newId, newSecret } from '../ids';
import { countryOf } from '../phone';
import { mayGetCode } from '../policy/signup';
import { takeSmsSlot } from '../services/sms/ceiling';
import { ensureUser } from './users';

const HOUR = 3_600_000;
const codeHash = (phone: string, code: string) =>
  createHash('sha256').update(`${phone}:${code}`).digest('hex');

/**
 * Sends a fresh 6-digit single-use code by SMS. The code is stored only once the provider took
 * the message: a provider that fails (retried once) answers 503 sms_unavailable, leaves the
 * previous code valid and gives back the request it counted against the number.
 */
export async function requestCode(
  ctx: AppContext,
  phone: string,
  ip: string,
): Promise<{ expiresInSeconds: number }> {
  const { config } = ctx;
  await ctx.limiter.hit(`ip:${ip}`, config.authRequestsPerIpPerMinute, 60_000);
  if (config.smsCountries) {
    const country = countryOf(phone);
    if (!country || !config.smsCountries.includes(country))
      throw new AppError('sms_country_not_allowed', undefined, [
        {
          field: 'phone',
          message: `SMS go only to ${config.smsCountries.join(', ')}`,
        },
      ]);
  }
  const phoneKey = `code:${phone}`;
  await ctx.limiter.hit(phoneKey, config.codesPerPhonePerHour, HOUR);
  const answer = { expiresInSeconds: config.codeTtlSeconds };
  if (!(await mayGetCode(ctx, phone))) return answer;
  try {
    await underHourlyCeiling(ctx);
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await ctx.sms.deliver({
      id: newId('sms'),
      to: phone,
      text: `Your Keyway code is ${code}. It expires in ${Math.round(config.codeTtlSeconds / 60)} minutes.`,
      code,
    });
    await storeCode(ctx, phone, code);
  } catch (err) {
    await ctx.limiter.refund(phoneKey);
    throw err;
  }
  return answer;
}

/** KEYWAY_SMS_PER_HOUR over the whole install; the first refusal of an hour is logged. */
async function underHourlyCeiling(ctx: AppContext) {
  const limit = ctx.config.smsPerHour;
  const slot = await takeSmsSlot(ctx.db, ctx.clock.now());
  if (slot.count <= limit) return;
  ctx.sms.counters.ceilingRefused++;
  if (slot.count === limit + 1)
    ctx.log.warn(
      { category: 'sms', limit },
      `SMS ceiling reached: ${limit} SMS this hour (KEYWAY_SMS_PER_HOUR); login codes are refused for ${slot.retryAfterSeconds} s`,
    );
  throw new AppError(
    'sms_unavailable',
    `Too many SMS were sent this hour; try again in ${slot.retryAfterSeconds} s.`,
    { retryAfterSeconds: slot.retryAfterSeconds },
    { 'retry-after': String(slot.retryAfterSeconds) },
  );
}

/** A new code replaces the previous one and resets its tries. */
async function storeCode(ctx: AppContext, phone: string, code: string) {
  const now = ctx.clock.now();
  const row = {
    phone,
    code_hash: codeHash(phone, code),
    expires_at: new Date(
      now.getTime() + ctx.config.codeTtlSeconds * 1000,
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
  await ctx.limiter.hit(`ip:${ip}`, config.authRequestsPerIpPerMinute, 60_000);
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
