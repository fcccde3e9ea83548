import { getOrCreate } from './maps';
import type { Views } from './views';

/**
 * What a write changes in one space's published views: audience → key → the new serialized
 * value, or null for an entry that goes. It holds only entries that really differ, so it is at
 * once the ops to push, the `view_state` rows to write and the update to the in-memory cache.
 */
export type Delta = Map<string, Map<string, string | null>>;

/** The kind of a view key `{spaceId}/{kind}/{id}`, without validating it (a hot path). */
export const kindOf = (key: string) =>
  key.slice(key.indexOf('/') + 1, key.lastIndexOf('/'));

/** The value a reader sees once `delta` is applied to `views`. */
export function current(
  views: Views,
  delta: Delta,
  audience: string,
  key: string,
): string | undefined {
  const d = delta.get(audience)?.get(key);
  if (d !== undefined) return d ?? undefined;
  return views.get(audience)?.get(key);
}

/** Records that `audience`'s `key` becomes `value` (undefined: removed) — if that is a change. */
export function setEntry(
  views: Views,
  delta: Delta,
  audience: string,
  key: string,
  value: string | undefined,
): void {
  const before = views.get(audience)?.get(key);
  const entries = delta.get(audience);
  if (before === value) {
    entries?.delete(key);
    if (entries?.size === 0) delta.delete(audience);
    return;
  }
  (entries ?? getOrCreate(delta, audience, () => new Map())).set(
    key,
    value ?? null,
  );
}

/** The delta that turns `before` into `after` (a whole space rebuilt). */
export function diffViews(before: Views, after: Views): Delta {
  const delta: Delta = new Map();
  for (const audience of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(audience);
    const a = after.get(audience);
    if (a === b) continue;
    const out = new Map<string, string | null>();
    for (const key of b?.keys() ?? []) if (!a?.has(key)) out.set(key, null);
    for (const [key, value] of a ?? [])
      if (b?.get(key) !== value) out.set(key, value);
    if (out.size) delta.set(audience, out);
  }
  return delta;
}

/** A space's unit audiences (`n:`), remembered per views map: 9,000 phones are not scanned. */
const unitAudienceLists = new WeakMap<Views, string[]>();
export function unitAudiences(views: Views): string[] {
  let list = unitAudienceLists.get(views);
  if (!list) {
    list = [...views.keys()].filter((a) => a.startsWith('n:'));
    unitAudienceLists.set(views, list);
  }
  return list;
}

/**
 * Which audiences show a door, a group or the space, remembered per views map: a sensor report,
 * a group rename or a space edit patches those entries without scanning every audience of a
 * 9,000-member space. Built on first use; dropped when an entry of these kinds appears or goes.
 */
const INDEXED = new Set(['door', 'admin.door', 'group', 'space', 'unit.space']);
const holderIndexes = new WeakMap<Views, Map<string, string[]>>();
const indexed = (key: string) => INDEXED.has(kindOf(key));
export function audiencesWith(views: Views, key: string): string[] {
  let index = holderIndexes.get(views);
  if (!index) {
    index = new Map();
    for (const [audience, entries] of views)
      for (const k of entries.keys())
        if (indexed(k))
          getOrCreate(index, k, (): string[] => []).push(audience);
    holderIndexes.set(views, index);
  }
  return index.get(key) ?? [];
}

/** Applies `delta` to `views` in place (after commit: the cache then holds what was published). */
export function applyDelta(views: Views, delta: Delta): void {
  for (const [audience, entries] of delta) {
    if (audience.startsWith('n:')) unitAudienceLists.delete(views);
    const map = getOrCreate(views, audience, () => new Map<string, string>());
    for (const [key, value] of entries) {
      if ((value === null || !map.has(key)) && indexed(key))
        holderIndexes.delete(views);
      if (value === null) map.delete(key);
      else map.set(key, value);
    }
    if (map.size === 0) views.delete(audience);
  }
}

/**
 * One audience's ops as JSON text, in key order. Values are already serialized in the views, so
 * they are spliced in as they are: nothing is parsed and serialized again.
 */
export function opsJson(entries: Map<string, string | null>): string {
  const keys = [...entries.keys()].sort();
  const parts = keys.map((key) => {
    const value = entries.get(key);
    return value === null || value === undefined
      ? `{"op":"del","key":${JSON.stringify(key)}}`
      : `{"op":"put","key":${JSON.stringify(key)},"value":${value}}`;
  });
  return `[${parts.join(',')}]`;
}

type OpsNode = { next: Map<string | null, OpsNode>; json?: string };
const opsNode = (): OpsNode => ({ next: new Map() });

/**
 * A change's payload of ops alone, `{"ops":[…]}`, for many audiences at once: audiences given
 * the same entries (the same key and value strings, as a group rename gives 9,000 phones)
 * share one string. A string keeps its hash, so finding the shared one is a lookup per entry,
 * not ~250 bytes built, and hashed again to group them, for every audience.
 */
export class OpsPayloads {
  private root = opsNode();

  get(entries: Map<string, string | null>): string {
    let node = this.root;
    for (const [key, value] of entries) {
      node = getOrCreate(node.next, key, opsNode);
      node = getOrCreate(node.next, value, opsNode);
    }
    node.json ??= `{"ops":${opsJson(entries)}}`;
    return node.json;
  }
}
