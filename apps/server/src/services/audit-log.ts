import {
  AUDIT_CSV_COLUMNS,
  type AuditEntry,
  type AuditObjectType,
} from '@keyway/protocol';
import type { Db } from '../db/connect';
import type { AuditLogTable } from '../db/schema';
import { newId } from '../ids';
import { roleIn } from '../policy/space';
import { presentApiKey } from '../presenters/api-key';
import { presentDoor } from '../presenters/door';
import { presentSpace } from '../presenters/space';
import { presentUnit } from '../presenters/unit';
import { loadGroups } from '../queries/groups';
import { loadMembers } from '../queries/members';

/**
 * The audit trail (API.md "Operations and audit trail"): one entry per admin action of the API,
 * written by `tx.audit` (commands/tx.ts) in the transaction of the change, read by
 * routes/audit.ts, pruned past KEYWAY_AUDIT_RETENTION_DAYS by the retention job (sync/engine.ts).
 * Nothing else writes, changes or deletes its rows.
 */

/** The API request being served, set per request by http/app.ts. */
export interface ApiRequest {
  /** The route's operationId: the `action` of its audit entry. */
  operationId: string;
  userId: string;
  sessionId: string;
  /** The API key the request was made with (absent for a person's session), as the logs name it. */
  apiKey?: { id: string; name: string };
  /** Whether the route is an admin action (http/route.ts `isAudited`). */
  audited: boolean;
  /** Audit entries its committed transactions wrote (exactly one for an admin action). */
  audits: number;
}

/** The object an admin action changes. */
export interface AuditRef {
  type: AuditObjectType;
  id: string;
}

type Json = Record<string, unknown>;

/**
 * The object as its GET answers it, or null when it does not exist (before a create, after a
 * delete). A space is presented with the actor's role in it, as her GET would show it.
 */
export async function loadAuditObject(
  db: Db,
  spaceId: string,
  ref: AuditRef,
  actorId: string,
): Promise<Json | null> {
  switch (ref.type) {
    case 'space': {
      const row = await db
        .selectFrom('spaces')
        .selectAll()
        .where('id', '=', ref.id)
        .executeTakeFirst();
      if (!row) return null;
      const role = (await roleIn(db, actorId, row.id)) ?? 'admin';
      return presentSpace(row, role);
    }
    case 'admin': {
      const row = await db
        .selectFrom('space_admins as a')
        .innerJoin('users as u', 'u.id', 'a.user_id')
        .select(['a.user_id', 'u.phone', 'u.name', 'a.role', 'a.created_at'])
        .where('a.space_id', '=', spaceId)
        .where('a.user_id', '=', ref.id)
        .executeTakeFirst();
      return row
        ? {
            userId: row.user_id,
            phone: row.phone,
            name: row.name,
            role: row.role,
            createdAt: row.created_at,
          }
        : null;
    }
    case 'unit': {
      const row = await db
        .selectFrom('units')
        .selectAll()
        .where('id', '=', ref.id)
        .where('space_id', '=', spaceId)
        .executeTakeFirst();
      return row ? presentUnit(row) : null;
    }
    case 'door': {
      const row = await db
        .selectFrom('doors')
        .selectAll()
        .where('id', '=', ref.id)
        .where('space_id', '=', spaceId)
        .executeTakeFirst();
      return row ? presentDoor(row) : null;
    }
    case 'group': {
      const row = await db
        .selectFrom('access_groups')
        .selectAll()
        .where('id', '=', ref.id)
        .where('space_id', '=', spaceId)
        .executeTakeFirst();
      return row ? ((await loadGroups(db, [row]))[0] ?? null) : null;
    }
    case 'member': {
      const [m] = await loadMembers(db, { ids: [ref.id] });
      return m && m.spaceId === spaceId ? m : null;
    }
    case 'api_key': {
      const row = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', ref.id)
        .where('space_id', '=', spaceId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row ? presentApiKey(row) : null;
    }
  }
}

/** The name an entry shows for its object: its name, else its phone number. */
function nameOf(obj: Json | null): string | null {
  if (!obj) return null;
  const name = obj.name ?? obj.phone;
  return typeof name === 'string' ? name : null;
}

/** Writes one entry inside `db` (the change's transaction); `after` is read now. */
export async function appendAudit(
  db: Db,
  req: ApiRequest,
  e: { spaceId: string; ref: AuditRef; before: Json | null },
  at: Date,
): Promise<void> {
  const after = await loadAuditObject(db, e.spaceId, e.ref, req.userId);
  const actor = await db
    .selectFrom('users')
    .select(['name', 'phone'])
    .where('id', '=', req.userId)
    .executeTakeFirst();
  const row: Omit<AuditLogTable, 'seq'> = {
    id: newId('aud'),
    space_id: e.spaceId,
    at: at.toISOString(),
    actor_user_id: req.userId,
    actor_name: actor?.name ?? null,
    // A key's own user has no phone number (services/api-keys.ts names it after the key).
    actor_phone: req.apiKey ? null : (actor?.phone ?? null),
    session_id: req.sessionId || null,
    api_key_id: req.apiKey?.id ?? null,
    action: req.operationId,
    object_type: e.ref.type,
    object_id: e.ref.id,
    object_name: nameOf(after) ?? nameOf(e.before),
    before: e.before ? JSON.stringify(e.before) : null,
    after: after ? JSON.stringify(after) : null,
  };
  await db.insertInto('audit_log').values(row).execute();
}

export function presentAudit(row: Omit<AuditLogTable, 'seq'>): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: {
      userId: row.actor_user_id,
      name: row.actor_name,
      phone: row.actor_phone,
      sessionId: row.session_id,
      apiKeyId: row.api_key_id,
    },
    action: row.action,
    object: {
      type: row.object_type as AuditObjectType,
      id: row.object_id,
      name: row.object_name,
    },
    before: row.before ? (JSON.parse(row.before) as Json) : null,
    after: row.after ? (JSON.parse(row.after) as Json) : null,
  };
}

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled.
 * A cell a spreadsheet would run as a formula (a leading = + - @, tab or CR) starts with `'`
 * (OWASP CSV injection); a plain signed number such as a phone number (+34600000001) is no
 * formula and stays as it is, as in the dashboard's access-log export (apps/web model/csv.ts).
 */
export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  const safe = /^[=@\t\r]|^[+-](?!\d+$)/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The entries as CSV: a header row (AUDIT_CSV_COLUMNS), then one row each; before/after as JSON. */
export function auditCsv(entries: AuditEntry[]): string {
  const rows: unknown[][] = [
    [...AUDIT_CSV_COLUMNS],
    ...entries.map((e) => [
      e.id,
      e.at,
      e.actor.userId,
      e.actor.name,
      e.actor.phone,
      e.actor.sessionId,
      e.actor.apiKeyId,
      e.action,
      e.object.type,
      e.object.id,
      e.object.name,
      e.before ? JSON.stringify(e.before) : '',
      e.after ? JSON.stringify(e.after) : '',
    ]),
  ];
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** Drops entries older than the retention window (KEYWAY_AUDIT_RETENTION_DAYS); returns how many. */
export async function pruneAuditLog(
  db: Db,
  now: Date,
  retentionMs: number,
): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionMs).toISOString();
  const res = await db
    .deleteFrom('audit_log')
    .where('at', '<', cutoff)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
