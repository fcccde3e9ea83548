/** A sync cursor `{epoch}.{n}`. Cursors are opaque on the wire; the unit parses them only to drop duplicates. */
export interface ParsedCursor {
  epoch: string;
  n: number;
}

export function parseCursor(cursor: string): ParsedCursor | null {
  const m = /^(.+)\.(\d{1,15})$/.exec(cursor);
  if (!m?.[1] || m[2] === undefined) return null;
  return { epoch: m[1], n: Number(m[2]) };
}

/**
 * Whether a change with cursor `incoming` was already applied, given `current`, the cursor of the
 * last update applied. Within one epoch, n only grows; a change from another epoch is always
 * applied (the server's log was rebuilt). Unparseable cursors are compared as plain strings.
 */
export function isAlreadyApplied(
  current: string | null,
  incoming: string,
): boolean {
  if (current === null) return false;
  if (current === incoming) return true;
  const a = parseCursor(current);
  const b = parseCursor(incoming);
  if (!a || !b || a.epoch !== b.epoch) return false;
  return b.n <= a.n;
}
