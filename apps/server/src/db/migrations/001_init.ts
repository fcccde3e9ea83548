import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../connect';

// biome-ignore lint/suspicious/noExplicitAny: migrations run on the untyped schema by design
type Db = Kysely<any>;

export const init = (dialect: Dialect): Migration => ({
  async up(db: Db) {
    const text = 'text' as const;
    await db.schema
      .createTable('users')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('phone', text, (c) => c.notNull().unique())
      .addColumn('name', text)
      .addColumn('created_at', text, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('auth_codes')
      .addColumn('phone', text, (c) => c.primaryKey())
      .addColumn('code_hash', text, (c) => c.notNull())
      .addColumn('expires_at', text, (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', text, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('sessions')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('user_id', text, (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('token_hash', text, (c) => c.notNull().unique())
      .addColumn('device_name', text)
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('last_seen_at', text, (c) => c.notNull())
      .addColumn('revoked_at', text)
      .execute();
    await db.schema
      .createIndex('sessions_user')
      .on('sessions')
      .column('user_id')
      .execute();
    await db.schema
      .createTable('spaces')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('timezone', text, (c) => c.notNull())
      .addColumn('lat', 'double precision')
      .addColumn('lon', 'double precision')
      .addColumn('geofence_meters', 'integer')
      .addColumn('lockdown', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', text, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('space_admins')
      .addColumn('space_id', text, (c) =>
        c.notNull().references('spaces.id').onDelete('cascade'),
      )
      .addColumn('user_id', text, (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('role', text, (c) => c.notNull())
      .addColumn('created_at', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('space_admins_pk', ['space_id', 'user_id'])
      .execute();
    await db.schema
      .createIndex('space_admins_user')
      .on('space_admins')
      .column('user_id')
      .execute();
    await db.schema
      .createTable('units')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('space_id', text, (c) =>
        c.notNull().references('spaces.id').onDelete('cascade'),
      )
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('password_hash', text, (c) => c.notNull())
      .addColumn('online', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_seen_at', text)
      .addColumn('lat', 'double precision')
      .addColumn('lon', 'double precision')
      .addColumn('agent', text)
      .addColumn('created_at', text, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('units_space')
      .on('units')
      .column('space_id')
      .execute();
    await db.schema
      .createTable('doors')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('space_id', text, (c) =>
        c.notNull().references('spaces.id').onDelete('cascade'),
      )
      .addColumn('unit_id', text, (c) =>
        c.notNull().references('units.id').onDelete('cascade'),
      )
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('relay', 'integer', (c) => c.notNull())
      .addColumn('pulse_ms', 'integer', (c) => c.notNull())
      .addColumn('sensor', 'integer', (c) => c.notNull())
      .addColumn('state', text, (c) => c.notNull())
      .addColumn('state_since', text)
      .addColumn('created_at', text, (c) => c.notNull())
      .addUniqueConstraint('doors_unit_relay', ['unit_id', 'relay'])
      .execute();
    await db.schema
      .createIndex('doors_space')
      .on('doors')
      .column('space_id')
      .execute();
    await db.schema
      .createTable('access_groups')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('space_id', text, (c) =>
        c.notNull().references('spaces.id').onDelete('cascade'),
      )
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('geofence_meters', 'integer')
      .addColumn('created_at', text, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('groups_space')
      .on('access_groups')
      .column('space_id')
      .execute();
    await db.schema
      .createTable('group_doors')
      .addColumn('group_id', text, (c) =>
        c.notNull().references('access_groups.id').onDelete('cascade'),
      )
      .addColumn('door_id', text, (c) =>
        c.notNull().references('doors.id').onDelete('cascade'),
      )
      .addPrimaryKeyConstraint('group_doors_pk', ['group_id', 'door_id'])
      .execute();
    await db.schema
      .createIndex('group_doors_door')
      .on('group_doors')
      .column('door_id')
      .execute();
    await db.schema
      .createTable('members')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('space_id', text, (c) =>
        c.notNull().references('spaces.id').onDelete('cascade'),
      )
      .addColumn('user_id', text, (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('name', text)
      .addColumn('access', text)
      .addColumn('geofence_meters', 'integer')
      .addColumn('created_at', text, (c) => c.notNull())
      .addUniqueConstraint('members_space_user', ['space_id', 'user_id'])
      .execute();
    await db.schema
      .createIndex('members_user')
      .on('members')
      .column('user_id')
      .execute();
    await db.schema
      .createTable('member_groups')
      .addColumn('member_id', text, (c) =>
        c.notNull().references('members.id').onDelete('cascade'),
      )
      .addColumn('group_id', text, (c) =>
        c.notNull().references('access_groups.id').onDelete('cascade'),
      )
      .addPrimaryKeyConstraint('member_groups_pk', ['member_id', 'group_id'])
      .execute();
    await db.schema
      .createIndex('member_groups_group')
      .on('member_groups')
      .column('group_id')
      .execute();
    await db.schema
      .createTable('events')
      .addColumn(
        'seq',
        dialect === 'postgres' ? 'bigserial' : 'integer',
        (c) =>
          dialect === 'postgres'
            ? c.primaryKey()
            : c.primaryKey().autoIncrement(),
      )
      .addColumn('id', text, (c) => c.notNull().unique())
      // No foreign keys: the log outlives the doors, units and members it mentions.
      .addColumn('space_id', text, (c) => c.notNull())
      .addColumn('at', text, (c) => c.notNull())
      .addColumn('type', text, (c) => c.notNull())
      .addColumn('door_id', text)
      .addColumn('unit_id', text)
      .addColumn('user_id', text)
      .addColumn('member_id', text)
      .addColumn('result', text)
      .addColumn('reason', text)
      .addColumn('data', text)
      .execute();
    await db.schema
      .createIndex('events_space_seq')
      .on('events')
      .columns(['space_id', 'seq'])
      .execute();
    await db.schema
      .createIndex('events_door_at')
      .on('events')
      .columns(['door_id', 'at'])
      .execute();
    await db.schema
      .createIndex('events_unit_at')
      .on('events')
      .columns(['unit_id', 'at'])
      .execute();
  },
  async down(db: Db) {
    for (const t of [
      'events',
      'member_groups',
      'members',
      'group_doors',
      'access_groups',
      'doors',
      'units',
      'space_admins',
      'spaces',
      'sessions',
      'auth_codes',
      'users',
    ]) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
});
