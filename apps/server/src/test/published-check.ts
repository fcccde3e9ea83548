import type { Db } from '../db/connect';
import { viewRows } from '../sync/shared';
import { loadSpaceData } from '../sync/space-data';
import { buildSpaceViews } from '../sync/views';

/**
 * The published views (`view_state`, what snapshots are read from and what every change was
 * diffed against) compared with a whole-space rebuild from the rows at `now`: the focused
 * rebuilds and patches must give exactly what recomputing everything would, and no shared
 * value may outlive the last audience that showed it.
 * Returns the differences, as readable lines (empty: none).
 */
export async function publishedDrift(db: Db, now: Date): Promise<string[]> {
  const rows = await viewRows(db).execute();
  const published = new Map<string, string>();
  for (const r of rows)
    published.set(
      `${r.audience} ${r.key}`,
      r.value ?? '(shared value missing)',
    );
  const spaces = await db.selectFrom('spaces').select('id').execute();
  const expected = new Map<string, string>();
  for (const s of spaces) {
    const data = await loadSpaceData(db, s.id);
    if (!data) continue;
    for (const [audience, entries] of buildSpaceViews(data, now).views)
      for (const [key, value] of entries)
        expected.set(`${audience} ${key}`, value);
  }
  const out: string[] = [];
  for (const [k, v] of expected) {
    const p = published.get(k);
    if (p === undefined) out.push(`missing ${k}`);
    else if (p !== v) out.push(`differs ${k}: published ${p} expected ${v}`);
  }
  for (const k of published.keys())
    if (!expected.has(k)) out.push(`extra ${k}`);
  // A shared value no audience shows any more should have gone with the last one.
  const shown = new Set([...published.keys()].map((k) => k.split(' ')[1]));
  for (const r of await db.selectFrom('shared_values').select('key').execute())
    if (!shown.has(r.key)) out.push(`orphan shared value ${r.key}`);
  return out;
}
