import { Access } from '@keyway/protocol';

/** What a stored access that fails its schema opens: nothing (an empty list of frames). */
const NEVER: Access = { timeFrames: [] };

/**
 * `members.access` as it leaves the database, decoded once by its schema. The server only
 * stores validated input, so a row that does not parse is corrupt: it fails closed (opens
 * nothing) rather than open (null means 24/7) or crash a whole space's views.
 */
export function decodeAccess(json: string | null): Access | null {
  if (json === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return NEVER;
  }
  if (value === null) return null;
  const parsed = Access.safeParse(value);
  return parsed.success ? parsed.data : NEVER;
}
