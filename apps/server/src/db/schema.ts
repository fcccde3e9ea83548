import type { Generated } from 'kysely';

/** Row types. Times are ISO-8601 UTC strings (sortable as text); booleans are 0/1 integers. */
export interface UsersTable {
  id: string;
  phone: string;
  name: string | null;
  created_at: string;
}
export interface AuthCodesTable {
  phone: string;
  code_hash: string;
  expires_at: string;
  attempts: number;
  created_at: string;
}
export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  device_name: string | null;
  created_at: string;
  last_seen_at: string;
  revoked_at: string | null;
}
export interface SpacesTable {
  id: string;
  name: string;
  timezone: string;
  lat: number | null;
  lon: number | null;
  geofence_meters: number | null;
  lockdown: number;
  created_at: string;
}
export interface SpaceAdminsTable {
  space_id: string;
  user_id: string;
  role: 'owner' | 'admin' | 'viewer';
  created_at: string;
}
export interface UnitsTable {
  id: string;
  space_id: string;
  name: string;
  password_hash: string;
  online: number;
  last_seen_at: string | null;
  lat: number | null;
  lon: number | null;
  agent: string | null;
  /** How many relays the unit announced in its status (010_unit_clock); null until it has. */
  relays: number | null;
  created_at: string;
}
export interface DoorsTable {
  id: string;
  space_id: string;
  unit_id: string;
  name: string;
  relay: number;
  pulse_ms: number;
  sensor: number;
  state: string;
  state_since: string | null;
  created_at: string;
}
export interface GroupsTable {
  id: string;
  space_id: string;
  name: string;
  geofence_meters: number | null;
  created_at: string;
}
export interface GroupDoorsTable {
  group_id: string;
  door_id: string;
}
export interface MembersTable {
  id: string;
  space_id: string;
  user_id: string;
  name: string | null;
  /** JSON of protocol Access, null for basic mode. */
  access: string | null;
  geofence_meters: number | null;
  created_at: string;
}
export interface MemberGroupsTable {
  member_id: string;
  group_id: string;
}
export interface EventsTable {
  seq: Generated<number>;
  id: string;
  space_id: string;
  at: string;
  type: string;
  door_id: string | null;
  unit_id: string | null;
  user_id: string | null;
  member_id: string | null;
  result: string | null;
  reason: string | null;
  data: string | null;
}

/** One admin action (008_audit; services/audit-log.ts). before/after: the object's JSON, or null. */
export interface AuditLogTable {
  seq: Generated<number>;
  id: string;
  space_id: string;
  at: string;
  actor_user_id: string | null;
  actor_name: string | null;
  actor_phone: string | null;
  session_id: string | null;
  api_key_id: string | null;
  action: string;
  object_type: string;
  object_id: string;
  object_name: string | null;
  before: string | null;
  after: string | null;
}

/** One API key of a space (012_api_keys; services/api-keys.ts). scopes: a JSON array. */
export interface ApiKeysTable {
  id: string;
  space_id: string;
  user_id: string;
  name: string;
  scopes: string;
  token_hash: string;
  prefix: string;
  created_by: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
  revoked_at: string | null;
}

export interface SyncMetaTable {
  id: number;
  epoch: string;
  min_cursor: number;
}
export interface ChangesTable {
  cursor: Generated<number>;
  space_id: string;
  at: string;
  /** JSON: {ops, events?, resync?}. */
  payload: string;
}
export interface ChangeTargetsTable {
  audience: string;
  cursor: number;
}
export interface ViewStateTable {
  audience: string;
  key: string;
  space_id: string;
  /** The entry's JSON, or '' when it is a shared entry: its value is in `shared_values`. */
  value: string;
}
/** One value for an entry every audience of a space shows alike (see sync/shared.ts). */
export interface SharedValuesTable {
  key: string;
  space_id: string;
  value: string;
}
/** A token replaced by every write that changes a space's published views (006_cluster). */
export interface ViewVersionsTable {
  space_id: string;
  version: string;
}
/** The next instant a space's views change by time alone; null: never (006_cluster). */
export interface SpaceTimersTable {
  space_id: string;
  next_change_at: string | null;
}
export interface SyncClientsTable {
  client_id: string;
  kind: 'phone' | 'unit';
  user_id: string | null;
  unit_id: string | null;
  cursor: number;
  updated_at: string;
}
export interface SyncClientAudiencesTable {
  client_id: string;
  audience: string;
}

export interface SmsWindowsTable {
  window_start: string;
  count: number;
}

export interface RateWindowsTable {
  key: string;
  /** Milliseconds since the epoch (PostgreSQL's bigint arrives as a string). */
  window_start: number | string;
  count: number;
}

export interface Database {
  sync_meta: SyncMetaTable;
  changes: ChangesTable;
  change_targets: ChangeTargetsTable;
  view_state: ViewStateTable;
  shared_values: SharedValuesTable;
  view_versions: ViewVersionsTable;
  space_timers: SpaceTimersTable;
  sync_clients: SyncClientsTable;
  sync_client_audiences: SyncClientAudiencesTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  auth_codes: AuthCodesTable;
  sms_windows: SmsWindowsTable;
  rate_windows: RateWindowsTable;
  sessions: SessionsTable;
  spaces: SpacesTable;
  space_admins: SpaceAdminsTable;
  units: UnitsTable;
  doors: DoorsTable;
  access_groups: GroupsTable;
  group_doors: GroupDoorsTable;
  members: MembersTable;
  member_groups: MemberGroupsTable;
  events: EventsTable;
  audit_log: AuditLogTable;
}
