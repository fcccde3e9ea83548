import { openStorage } from '../db/connect';
import type { Database } from '../db/schema';
import { hashToken } from '../http/authenticate';
import { newId, newSecret } from '../ids';
import { hashSecret } from '../mqtt/secrets';

export interface Seeded {
  /** The owner's session token (admin of both spaces). */
  owner: string;
  phoneSpaceId: string;
  unitSpaceId: string;
  /** Door 1 of space "Phones": every group opens it, so each member's view holds it. */
  phoneDoorId: string;
  /** Fan-out level L → the group whose members are members 0..L-1. */
  groups: Record<number, string>;
  members: { id: string; token: string }[];
  units: { id: string; password: string; doorId: string }[];
}

/**
 * Writes the bench's data straight into a fresh database, before the server starts (creating
 * 9k members over HTTP recomputes the space's views on each: O(n²)); the server recomputes
 * every space's views at start. The schema comes from the server's own migrations.
 *
 * Space "Phones": one unit with two doors; groups G<L> (door 1) for each fan-out level L, member
 * i in every group with L > i; one session per member. Space "Units": `units` units, one door
 * each (relay 1, pulse 50 ms), no members.
 */
export async function seed(
  dataDir: string,
  opts: { members: number; fanLevels: number[]; units: number },
  /** PostgreSQL instead of SQLite under dataDir (bench:cluster). */
  databaseUrl?: string,
): Promise<Seeded> {
  const { db, close } = await openStorage({ dataDir, databaseUrl });
  const at = new Date().toISOString();
  const rows: { [T in keyof Database]?: Database[T][] } = {};
  const add = <T extends keyof Database>(table: T, row: Database[T]) => {
    rows[table] ??= [];
    (rows[table] as Database[T][]).push(row);
  };
  const user = (phone: string, name: string) => {
    const id = newId('usr');
    add('users', { id, phone, name, created_at: at });
    const token = newSecret(32);
    add('sessions', {
      id: newId('ses'),
      user_id: id,
      token_hash: hashToken(token),
      device_name: 'bench',
      created_at: at,
      last_seen_at: at,
      revoked_at: null,
    });
    return { id, token };
  };
  const space = (name: string) => {
    const id = newId('sp');
    add('spaces', {
      id,
      name,
      timezone: 'Europe/Madrid',
      lat: null,
      lon: null,
      geofence_meters: null,
      lockdown: 0,
      created_at: at,
    });
    add('space_admins', {
      space_id: id,
      user_id: owner.id,
      role: 'owner',
      created_at: at,
    });
    return id;
  };
  const unit = (spaceId: string, name: string, relays: number) => {
    const id = newId('unit');
    const password = newSecret(24);
    add('units', {
      id,
      space_id: spaceId,
      name,
      password_hash: hashSecret(password),
      online: 0,
      last_seen_at: null,
      lat: null,
      lon: null,
      agent: null,
      relays: null,
      created_at: at,
    });
    const doorIds = Array.from({ length: relays }, (_, k) => {
      const doorId = newId('door');
      add('doors', {
        id: doorId,
        space_id: spaceId,
        unit_id: id,
        name: `${name} door ${k + 1}`,
        relay: k + 1,
        pulse_ms: 50,
        sensor: 0,
        state: 'unknown',
        state_since: null,
        created_at: at,
      });
      return doorId;
    });
    return { id, password, doorIds };
  };

  const owner = user('+34600000000', 'Bench owner');
  const phoneSpaceId = space('Phones');
  const hub = unit(phoneSpaceId, 'Phones unit', 2);
  const groups: Record<number, string> = {};
  for (const level of opts.fanLevels) {
    groups[level] = newId('grp');
    add('access_groups', {
      id: groups[level],
      space_id: phoneSpaceId,
      name: `G${level}`,
      geofence_meters: null,
      created_at: at,
    });
    add('group_doors', { group_id: groups[level], door_id: hub.doorIds[0]! });
  }
  const members: Seeded['members'] = [];
  for (let i = 0; i < opts.members; i++) {
    const u = user(`+3461${String(i).padStart(7, '0')}`, `m${i}`);
    const id = newId('mem');
    add('members', {
      id,
      space_id: phoneSpaceId,
      user_id: u.id,
      name: `m${i}`,
      access: null,
      geofence_meters: null,
      created_at: at,
    });
    for (const level of opts.fanLevels)
      if (i < level)
        add('member_groups', { member_id: id, group_id: groups[level]! });
    members.push({ id, token: u.token });
  }
  const unitSpaceId = space('Units');
  const units: Seeded['units'] = [];
  for (let i = 0; i < opts.units; i++) {
    const u = unit(unitSpaceId, `u${i}`, 1);
    units.push({ id: u.id, password: u.password, doorId: u.doorIds[0]! });
  }

  // Parents before children (foreign keys), 200 rows a statement, one transaction.
  const order: (keyof Database)[] = [
    'users',
    'sessions',
    'spaces',
    'space_admins',
    'units',
    'doors',
    'access_groups',
    'group_doors',
    'members',
    'member_groups',
  ];
  await db.transaction().execute(async (trx) => {
    for (const table of order) {
      const list = (rows[table] ?? []) as any[];
      for (let i = 0; i < list.length; i += 200)
        await trx
          .insertInto(table)
          .values(list.slice(i, i + 200))
          .execute();
    }
  });
  await close();
  return {
    owner: owner.token,
    phoneSpaceId,
    unitSpaceId,
    phoneDoorId: hub.doorIds[0]!,
    groups,
    members,
    units,
  };
}
