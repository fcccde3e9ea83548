import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Cursor } from '@keyway/protocol';
import { z } from 'zod';

/** What the unit keeps on disk between runs: its view and the cursor of the last update applied. */
export interface SyncState {
  cursor: string | null;
  view: Map<string, unknown>;
}

const StateFile = z.object({
  version: z.literal(1),
  unitId: z.string(),
  cursor: Cursor.nullable(),
  view: z.record(z.string(), z.unknown()),
});

export type LoadResult =
  | { kind: 'loaded'; state: SyncState }
  | { kind: 'missing' }
  | { kind: 'unusable'; problem: string };

/**
 * Reads the state file written by saveState. Synchronous: it runs once, at start, before the
 * first connect, so the first `resume` already carries the stored cursor.
 */
export function loadState(path: string, unitId: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { kind: 'missing' };
    return { kind: 'unusable', problem: (err as Error).message };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'unusable', problem: 'not JSON' };
  }
  const parsed = StateFile.safeParse(json);
  if (!parsed.success)
    return { kind: 'unusable', problem: 'not a unit state file' };
  if (parsed.data.unitId !== unitId) {
    return {
      kind: 'unusable',
      problem: `written for unit ${parsed.data.unitId}`,
    };
  }
  const { cursor, view } = parsed.data;
  return {
    kind: 'loaded',
    state: { cursor, view: new Map(Object.entries(view)) },
  };
}

/**
 * Replaces the state file atomically: the new content goes to a temporary file in the same
 * directory, is flushed to disk, and is renamed over the old one. A power cut leaves either the
 * old file or the new one, never a mix.
 */
export async function saveState(
  path: string,
  unitId: string,
  state: SyncState,
): Promise<void> {
  const body = {
    version: 1,
    unitId,
    cursor: state.cursor,
    view: Object.fromEntries(state.view),
  };
  const temp = join(
    dirname(path),
    `.${randomBytes(6).toString('hex')}.keyway-unit.tmp`,
  );
  const file = await open(temp, 'w', 0o600);
  try {
    await file.writeFile(JSON.stringify(body));
    await file.sync();
  } catch (err) {
    await file.close().catch(() => {});
    await rm(temp, { force: true });
    throw err;
  }
  await file.close();
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(dirname(path));
}

/** Makes the rename itself durable where the platform allows it (not on Windows). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    await handle.sync().finally(() => handle.close());
  } catch {
    // Best effort.
  }
}
