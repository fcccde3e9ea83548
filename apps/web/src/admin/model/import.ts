import type { Group, Member } from '@keyway/protocol';
import { parseCsv } from './csv';

export interface ImportRow {
  line: number;
  phone: string;
  name: string | null;
  groupIds: string[];
  /** Set when the row is rejected before it reaches the server. */
  problem: {
    code: 'empty_phone' | 'duplicate_row' | 'already_member' | 'unknown_group';
    detail?: string;
  } | null;
}

const HEADERS: Record<string, 'phone' | 'name' | 'groups'> = {
  phone: 'phone',
  telefono: 'phone',
  teléfono: 'phone',
  mobile: 'phone',
  name: 'name',
  nombre: 'name',
  groups: 'groups',
  group: 'groups',
  grupos: 'groups',
  grupo: 'groups',
};

/**
 * Rows of a members CSV: `phone[,name[,groups]]` (groups by name, separated by `;` or `|`), with an
 * optional header row naming the columns. Rows that cannot work are marked before any request.
 */
export function planImport(
  text: string,
  groups: readonly Group[],
  members: readonly Member[],
  extraGroupIds: string[],
) {
  const rows = parseCsv(text);
  let cols = { phone: 0, name: 1, groups: 2 } as Record<
    'phone' | 'name' | 'groups',
    number
  >;
  let first = 0;
  const head = rows[0]?.map((c) => HEADERS[c.trim().toLowerCase()]);
  if (head?.some(Boolean)) {
    first = 1;
    cols = {
      phone: head.indexOf('phone'),
      name: head.indexOf('name'),
      groups: head.indexOf('groups'),
    };
  }
  const seen = new Set<string>();
  const existing = new Set(members.map((m) => digits(m.phone)));
  const out: ImportRow[] = [];
  for (let i = first; i < rows.length; i++) {
    const r = rows[i]!;
    const phone = (r[cols.phone] ?? '').trim();
    const name = (cols.name >= 0 ? (r[cols.name] ?? '') : '').trim() || null;
    const groupNames =
      cols.groups >= 0
        ? (r[cols.groups] ?? '')
            .split(/[;|]/)
            .map((g) => g.trim())
            .filter(Boolean)
        : [];
    const ids = new Set(extraGroupIds);
    let problem: ImportRow['problem'] = null;
    for (const gname of groupNames) {
      const g = groups.find(
        (x) => x.name.toLowerCase() === gname.toLowerCase(),
      );
      if (g) ids.add(g.id);
      else problem ??= { code: 'unknown_group', detail: gname };
    }
    const key = digits(phone);
    if (!phone) problem = { code: 'empty_phone' };
    else if (seen.has(key)) problem = { code: 'duplicate_row' };
    else if (existing.has(key)) problem = { code: 'already_member' };
    seen.add(key);
    out.push({ line: i + 1, phone, name, groupIds: [...ids], problem });
  }
  return out;
}

/** Digits only, for spotting "+34 600 00 00 01" and "+34600000001" as the same number. */
const digits = (phone: string) => phone.replace(/\D/g, '');
