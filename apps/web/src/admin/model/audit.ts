import type { AuditEntry } from '@keyway/protocol';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** The fields whose value differs between an entry's before and after (both objects present). */
export function changedFields(
  e: Pick<AuditEntry, 'before' | 'after'>,
): FieldChange[] {
  if (!e.before || !e.after) return [];
  const keys = [
    ...new Set([...Object.keys(e.before), ...Object.keys(e.after)]),
  ];
  return keys
    .filter(
      (k) => JSON.stringify(e.before?.[k]) !== JSON.stringify(e.after?.[k]),
    )
    .map((field) => ({
      field,
      before: e.before?.[field],
      after: e.after?.[field],
    }));
}

/** A value as one short line: strings bare, null as a dash, the rest as JSON. */
export function shortValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** Newly fetched newest entries in front of the ones already shown, each once. */
export function mergeNewest(
  fresh: AuditEntry[],
  shown: AuditEntry[],
): AuditEntry[] {
  const known = new Set(shown.map((e) => e.id));
  const added = fresh.filter((e) => !known.has(e.id));
  return added.length ? [...added, ...shown] : shown;
}
