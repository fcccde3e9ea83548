import { z } from 'zod';
import { Id, IsoTime, PageCursor, Phone } from '../common';

/** What an admin action changed: the object kinds of the API. */
export const AuditObjectType = z.enum([
  'space',
  'admin',
  'unit',
  'door',
  'group',
  'member',
  'api_key',
]);
export type AuditObjectType = z.infer<typeof AuditObjectType>;

/** Who did it: the user, as she was named then, and the session (or API key) she used. */
export const AuditActor = z.object({
  userId: Id.nullable(),
  name: z.string().nullable(),
  phone: Phone.nullable(),
  sessionId: Id.nullable(),
  apiKeyId: Id.nullable(),
});
export type AuditActor = z.infer<typeof AuditActor>;

/**
 * One admin action (API.md "Operations and audit trail"). `action` is the operationId of the
 * API call that made it (`updateMember`, `deleteDoor`, ...); `before`/`after` are the object as
 * its GET answers it, `null` before a create and after a delete.
 */
export const AuditEntry = z.object({
  id: Id,
  at: IsoTime,
  actor: AuditActor,
  action: z.string(),
  object: z.object({
    type: AuditObjectType,
    id: Id,
    name: z.string().nullable(),
  }),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

const AuditFilters = z.object({
  /** The acting user's id. */
  actor: Id.optional(),
  objectType: AuditObjectType.optional(),
  /** Entries at or after this instant. */
  from: IsoTime.optional(),
  /** Entries at or before this instant. */
  until: IsoTime.optional(),
  /** `nextCursor` of the previous page. */
  cursor: PageCursor.optional(),
});

/** Newest first, `limit` per page (at most 200). */
export const AuditQuery = AuditFilters.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
/**
 * The CSV export: the same filters, up to 10,000 rows; when more match, the response's
 * `Keyway-Next-Cursor` header is the cursor of the rest.
 */
export const AuditCsvQuery = AuditFilters.extend({
  limit: z.coerce.number().int().min(1).max(10_000).default(10_000),
});
export const AuditResponse = z.object({
  entries: z.array(AuditEntry),
  nextCursor: z.string().nullable(),
});

/** The CSV export's columns, in order (a header row names them). */
export const AUDIT_CSV_COLUMNS = [
  'id',
  'at',
  'actor_user_id',
  'actor_name',
  'actor_phone',
  'session_id',
  'api_key_id',
  'action',
  'object_type',
  'object_id',
  'object_name',
  'before',
  'after',
] as const;
