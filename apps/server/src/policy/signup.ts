import type { AppContext } from '../context';

/**
 * With KEYWAY_SIGNUP=invite only a number somebody invited may get a login code: a member or
 * an admin of some space, or one of KEYWAY_SIGNUP_PHONES. Others get the same 202 and no SMS,
 * so the form neither sends pumped SMS nor tells who is a member.
 */
export async function mayGetCode(
  ctx: Pick<AppContext, 'config' | 'db'>,
  phone: string,
): Promise<boolean> {
  if (ctx.config.signup === 'open') return true;
  if (ctx.config.signupPhones?.includes(phone)) return true;
  const row = await ctx.db
    .selectFrom('users as u')
    .select('u.id')
    .where('u.phone', '=', phone)
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('members as m')
            .select('m.id')
            .whereRef('m.user_id', '=', 'u.id'),
        ),
        eb.exists(
          eb
            .selectFrom('space_admins as a')
            .select('a.user_id')
            .whereRef('a.user_id', '=', 'u.id'),
        ),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
}
