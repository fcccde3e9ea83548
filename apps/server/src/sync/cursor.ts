/** Cursors on the wire are `{epoch}.{n}`: the epoch changes whenever the log is truncated or rebuilt. */
export const formatCursor = (epoch: string, n: number) => `${epoch}.${n}`;

export function parseCursor(
  raw: string | undefined | null,
): { epoch: string; n: number } | null {
  if (!raw) return null;
  const m = /^([A-Za-z0-9_-]{1,40})\.(\d{1,15})$/.exec(raw);
  if (!m) return null;
  return { epoch: m[1]!, n: Number(m[2]) };
}
