import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SyncClient } from '@keyway/protocol';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type Db, sqliteFile } from './db/connect';
import type { Database } from './db/schema';
import { viewRows } from './sync/shared';
import { unitAudience } from './sync/views';
import { createTestDatabase, type TestDatabase } from './test/db';
import { PHONES } from './test/fixtures';
import { expectStatus } from './test/harness';
import { ServerProcess } from './test/server-process';
import { UnitProcess, waitFor } from './test/unit-process';

const CLI = fileURLToPath(new URL('./ops/cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const onPostgres = process.env.KEYWAY_TEST_DB === 'postgres';

/** The cursors the real unit process logged as applied, in order. */
const appliedCursors = (output: string) =>
  [...output.matchAll(/(snapshot|change) (\S+\.\d+) applied/g)].map((m) => ({
    type: m[1]!,
    cursor: m[2]!,
  }));
const epochOf = (cursor: string | null | undefined) =>
  cursor?.slice(0, cursor.lastIndexOf('.'));

describe('backup while writing, more writes, restore: every client takes a snapshot of the restored state', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  let ports: { port: number; mqttPort: number };
  let unit: UnitProcess | undefined;
  const clients: SyncClient[] = [];
  const work = mkdtempSync(join(tmpdir(), 'keyway-backup-'));
  const stateFile = join(work, 'unit-state.json');
  let owner: string;
  let memberToken: string;
  let spaceId: string;
  let unitId: string;
  let credentials: { username: string; password: string; mqttUrl: string };
  let groupId: string;
  let doorId: string;
  let door2Id: string;

  const start = () =>
    ServerProcess.start({
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      outbox: join(db.dataDir, 'sms.jsonl'),
      ...(ports ?? {}),
      env: {
        KEYWAY_AUTH_PER_IP: '100000',
        KEYWAY_CODES_PER_PHONE: '1000',
        KEYWAY_LOG_LEVEL: 'info',
      },
    });
  const api = (method: string, path: string, body?: unknown, token = owner) =>
    server.request(method, path, { token, body });
  const post = async (path: string, body: unknown) =>
    expectStatus(await api('POST', path, body), 201);
  const wsUrl = () => `${server.url.replace(/^http/, 'ws')}/v1/sync`;

  /** `npm run backup` / `npm run restore`, as an operator runs them: a process of its own, the server's settings. */
  const cli = (...args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
        cwd: ROOT,
        env: {
          ...process.env,
          KEYWAY_DATA_DIR: db.dataDir,
          KEYWAY_DATABASE_URL: db.databaseUrl ?? '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        out += d;
      });
      child.once('close', (code) => resolve({ code, out }));
    });

  /** A connection of the test's own to the database, for reading what is stored. */
  const readDb = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
    const k = db.databaseUrl
      ? new Kysely<Database>({
          dialect: new PostgresDialect({
            pool: new pg.Pool({ connectionString: db.databaseUrl, max: 1 }),
          }),
        })
      : new Kysely<Database>({
          dialect: new SqliteDialect({
            database: new SQLite(sqliteFile(db.dataDir), {
              fileMustExist: true,
            }),
          }),
        });
    try {
      return await fn(k);
    } finally {
      await k.destroy();
    }
  };
  const stored = () =>
    readDb(async (k) => ({
      epoch: (
        await k.selectFrom('sync_meta').select('epoch').executeTakeFirst()
      )?.epoch,
      door: (
        await k
          .selectFrom('doors')
          .select('name')
          .where('id', '=', doorId)
          .executeTakeFirst()
      )?.name,
      members: (await k.selectFrom('members').select('id').execute())
        .map((m) => m.id)
        .sort(),
    }));
  const unitViewStored = () =>
    readDb(async (k) => {
      const rows = await viewRows(k)
        .where('v.audience', '=', unitAudience(unitId))
        .execute();
      return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value!)]));
    });
  const unitState = (): {
    cursor: string | null;
    view: Record<string, any>;
  } => {
    try {
      return JSON.parse(readFileSync(stateFile, 'utf8'));
    } catch {
      return { cursor: null, view: {} };
    }
  };

  /** What a client connecting now with no cursor is given: the truth to converge to. */
  const freshView = (token: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const ws = new WebSocket(`${wsUrl()}?token=${token}`);
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data));
        if (msg.type !== 'snapshot') return;
        ws.close();
        resolve(msg.view);
      });
      ws.on('error', reject);
    });
  const sameView = async (c: SyncClient, token: string) =>
    JSON.stringify(sorted(Object.fromEntries(c.view))) ===
    JSON.stringify(sorted(await freshView(token)));

  /** A SyncClient that records what it applied: `kind` of each snapshot or change, with its cursor. */
  const client = (
    token: string,
    initial?: { cursor: string; view: Record<string, unknown> },
  ) => {
    const c = new SyncClient({
      url: wsUrl(),
      token,
      WebSocketImpl: WebSocket,
      backoff: { minMs: 50, maxMs: 500 },
      initial: initial ?? null,
    });
    const applied: { kind: string; cursor: string }[] = [];
    c.on('change', (ch) => applied.push({ kind: ch.kind, cursor: ch.cursor }));
    clients.push(c);
    c.start();
    return { c, applied };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await start();
    ports = {
      port: Number(new URL(server.url).port),
      mqttPort: server.mqttPort,
    };
    owner = await server.login(PHONES.owner);
    spaceId = (
      await post('/v1/spaces', { name: 'Backup HQ', timezone: 'Europe/Madrid' })
    ).space.id;
    const created = await post(`/v1/spaces/${spaceId}/units`, {
      name: 'Gate',
    });
    unitId = created.unit.id;
    credentials = created.credentials;
    doorId = (
      await post(`/v1/spaces/${spaceId}/doors`, {
        name: 'Front door',
        unitId,
        relay: 1,
      })
    ).door.id;
    door2Id = (
      await post(`/v1/spaces/${spaceId}/doors`, {
        name: 'Garage',
        unitId,
        relay: 2,
      })
    ).door.id;
    groupId = (
      await post(`/v1/spaces/${spaceId}/groups`, {
        name: 'Residents',
        doorIds: [doorId, door2Id],
      })
    ).group.id;
    await post(`/v1/spaces/${spaceId}/members`, {
      phone: PHONES.member,
      groupIds: [groupId],
    });
    memberToken = await server.login(PHONES.member);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.stop();
    await unit?.kill();
    await ServerProcess.killAll();
    await db?.drop();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('restores what the backup holds, and every phone, dashboard and unit converges to it by snapshot', async () => {
    const phone = client(memberToken);
    const dashboard = client(owner);
    unit = UnitProcess.spawn(credentials, [], stateFile);
    await waitFor(
      () => phone.c.status === 'live' && dashboard.c.status === 'live',
      'phone and dashboard live',
    );
    await waitFor(() => unitState().cursor, 'the unit saved its first view');

    // A stream of writes (members added to the group: dashboards and the unit see them; the
    // door renamed: the phone sees it), with a backup taken in the middle of it.
    const acked: { id: string; startedAt: number }[] = [];
    let writing = true;
    let n = 0;
    const writer = (async () => {
      while (writing) {
        const i = n++;
        const startedAt = performance.now();
        const m = await api('POST', `/v1/spaces/${spaceId}/members`, {
          phone: `+3465${String(i).padStart(7, '0')}`,
          groupIds: [groupId],
        });
        if (m.status === 201) acked.push({ id: m.body.member.id, startedAt });
        await api('PATCH', `/v1/doors/${doorId}`, { name: `Front door v${i}` });
      }
    })();
    await waitFor(() => acked.length >= 5, 'writes under way');
    const backupStarted = performance.now();
    const backupFile = join(work, 'keyway.backup');
    const backup = await cli('backup', '--out', backupFile);
    const backupEnded = performance.now();
    expect(backup.out).toMatch(/Backed up .* to .*keyway\.backup/);
    expect(backup.code).toBe(0);
    const writtenDuring = acked.filter(
      (a) => a.startedAt > backupStarted && a.startedAt < backupEnded,
    ).length;
    expect(writtenDuring).toBeGreaterThan(0); // the backup was taken while writes went on
    writing = false;
    await writer;

    // The lost future: written after the backup, seen by every client, then thrown away.
    const future = await post(`/v1/spaces/${spaceId}/members`, {
      phone: '+34699000001',
      groupIds: [groupId],
    });
    const futureMemberId: string = future.member.id;
    expectStatus(
      await api('PATCH', `/v1/doors/${doorId}`, { name: 'Lost future door' }),
      200,
    );
    expectStatus(
      await api('PATCH', `/v1/doors/${door2Id}`, { pulseMs: 4321 }),
      200,
    );
    const phoneDoor = (c: SyncClient) =>
      (c.view.get(`${spaceId}/door/${doorId}`) as { name?: string })?.name;
    const futureKey = `${spaceId}/unit.access/${futureMemberId}`;
    await waitFor(
      () =>
        phoneDoor(phone.c) === 'Lost future door' &&
        dashboard.c.view.has(`${spaceId}/admin.member/${futureMemberId}`) &&
        futureKey in unitState().view,
      'every client shows the future',
    );
    const oldEpoch = epochOf(phone.c.cursor);
    expect(epochOf(unitState().cursor)).toBe(oldEpoch);

    // Not while the server runs: it has the database open.
    const busy = await cli('restore', backupFile);
    expect(busy.code).toBe(1);
    expect(busy.out).toMatch(/is in use.*Stop .*Nothing was changed/s);
    expect((await stored()).door).toBe('Lost future door');

    // The phone and the unit go away holding the future; the dashboard stays, reconnecting.
    phone.c.stop();
    const phoneKept = {
      cursor: phone.c.cursor!,
      view: Object.fromEntries(phone.c.view),
    };
    await unit.kill('SIGTERM');
    const unitKept = unitState();
    expect(futureKey in unitKept.view).toBe(true);
    await server.kill('SIGTERM');
    const dashboardCursor = dashboard.c.cursor!;

    // Bad input changes nothing.
    const before = await stored();
    const fingerprint = () =>
      db.databaseUrl
        ? ''
        : `${readdirSync(db.dataDir).sort().join(',')}:${createHash('sha256')
            .update(readFileSync(sqliteFile(db.dataDir)))
            .digest('hex')}`;
    const unchanged = fingerprint();
    const bad = {
      garbage: join(work, 'garbage'),
      empty: join(work, 'empty'),
      truncated: join(work, 'truncated'),
      otherSqlite: join(work, 'other.db'),
      fakeDump: join(work, 'fake.dump'),
      newer: join(work, 'newer.db'),
    };
    writeFileSync(bad.garbage, 'not a backup at all\n'.repeat(100));
    writeFileSync(bad.empty, '');
    const whole = readFileSync(backupFile);
    writeFileSync(bad.truncated, whole.subarray(0, whole.length >> 1));
    const other = new SQLite(bad.otherSqlite);
    other.exec('CREATE TABLE notes (text TEXT)');
    other.close();
    writeFileSync(
      bad.fakeDump,
      Buffer.concat([Buffer.from('PGDMP'), Buffer.alloc(500, 7)]),
    );
    const cases: [string[], RegExp][] = [
      [['restore'], /which backup FILE/],
      [['backup'], /--out FILE is required/],
      [['backup', '--out', join(work, 'no/such/dir/b')], /does not exist/],
      [['restore', join(work, 'missing')], /no such file/],
      [['restore', bad.garbage], /not a Keyway backup/],
      [['restore', bad.empty], /not a Keyway backup.*empty/],
      [['restore', bad.truncated], /damaged/],
    ];
    if (onPostgres) {
      cases.push([['restore', bad.otherSqlite], /is a SQLite backup/]);
      cases.push([['restore', bad.fakeDump], /damaged or not a pg_dump/]);
    } else {
      cases.push([['restore', bad.otherSqlite], /not a Keyway database/]);
      cases.push([['restore', bad.fakeDump], /is a PostgreSQL backup/]);
      // A backup of a newer Keyway (a migration this one does not know).
      writeFileSync(bad.newer, whole);
      const newer = new SQLite(bad.newer);
      newer
        .prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)')
        .run('999_from_the_future', new Date().toISOString());
      newer.close();
      cases.push([['restore', bad.newer], /newer Keyway.*999_from_the_future/]);
    }
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.out, args.join(' ')).toMatch(message);
      expect(r.code, args.join(' ')).not.toBe(0);
    }
    expect(fingerprint()).toBe(unchanged);
    expect(await stored()).toEqual(before);

    // The restore.
    const restore = await cli('restore', backupFile);
    expect(restore.out).toMatch(/Restored .*New sync epoch/);
    expect(restore.code).toBe(0);
    const restored = await stored();
    expect(restored.epoch).not.toBe(oldEpoch);
    expect(restored.door).not.toBe('Lost future door');
    // Every member acknowledged before the backup began is there; none added after it ended.
    for (const a of acked.filter((x) => x.startedAt < backupStarted))
      expect(restored.members).toContain(a.id);
    for (const a of acked.filter((x) => x.startedAt > backupEnded))
      expect(restored.members).not.toContain(a.id);
    expect(restored.members).not.toContain(futureMemberId);

    server = await start();
    // Writes after the restore take the log past every cursor the lost future handed out, for
    // each client's own audiences too: a client resuming by cursor number alone would now be
    // replayed the changes after its cursor and keep the future it saw.
    const lostHead = Math.max(
      ...[phoneKept.cursor, unitKept.cursor!, dashboardCursor].map((c) =>
        Number(c.slice(c.lastIndexOf('.') + 1)),
      ),
    );
    for (let i = 0, past = 0; ; i++) {
      const head = await readDb(
        async (k) =>
          (
            await k
              .selectFrom('changes')
              .select((eb) => eb.fn.max('cursor').as('c'))
              .executeTakeFirst()
          )?.c,
      );
      // …and then three more, so that each audience has changes past it, not just the log.
      if (Number(head) > lostHead + 2 && ++past > 3) break;
      // Seen by the phone (the name), the dashboard and the unit (the pulse).
      expectStatus(
        await api('PATCH', `/v1/doors/${door2Id}`, {
          name: `Garage ${i}`,
          pulseMs: 600 + i,
        }),
        200,
      );
    }

    // The phone comes back with the future's cursor and view; the unit with its state file.
    const phoneBack = client(memberToken, phoneKept);
    unit = UnitProcess.spawn(credentials, [], stateFile);
    await waitFor(
      async () => (await sameView(phoneBack.c, memberToken)) || undefined,
      'the phone converges to the restored state',
      30_000,
    );
    await waitFor(
      async () => (await sameView(dashboard.c, owner)) || undefined,
      'the dashboard converges to the restored state',
      30_000,
    );
    await waitFor(
      async () =>
        JSON.stringify(sorted(unitState().view)) ===
          JSON.stringify(sorted(await unitViewStored())) || undefined,
      'the unit converges to the restored state',
      30_000,
    );

    // By snapshot: the first thing each applied after the restore was a snapshot of the new epoch.
    const newEpoch = restored.epoch;
    expect(phoneBack.applied[0]).toEqual({
      kind: 'snapshot',
      cursor: expect.stringMatching(new RegExp(`^${newEpoch}\\.`)),
    });
    const dashAfter = dashboard.applied.filter(
      (a) => epochOf(a.cursor) !== oldEpoch,
    );
    expect(dashAfter[0]?.kind).toBe('snapshot');
    const unitAfter = appliedCursors(unit.output); // the restarted unit's own log
    expect(unitAfter[0]?.type).toBe('snapshot');
    expect(epochOf(unitAfter[0]?.cursor)).toBe(newEpoch);

    // Nothing from the lost future is shown as current.
    expect(phoneDoor(phoneBack.c)).toBe(restored.door);
    expect(
      dashboard.c.view.has(`${spaceId}/admin.member/${futureMemberId}`),
    ).toBe(false);
    expect(futureKey in unitState().view).toBe(false);
    for (const c of [phoneBack.c, dashboard.c])
      expect(epochOf(c.cursor)).toBe(newEpoch);
    expect(epochOf(unitState().cursor)).toBe(newEpoch);
  }, 180_000);

  it.runIf(onPostgres)(
    'PostgreSQL, --force under a running node: the node notices the new epoch, stops (exit 75), and its clients converge once it is back',
    async () => {
      const phone = client(memberToken);
      await waitFor(() => phone.c.status === 'live', 'phone live');
      const backupFile = join(work, 'second.backup');
      expect((await cli('backup', '--out', backupFile)).code).toBe(0);
      expectStatus(
        await api('PATCH', `/v1/doors/${doorId}`, { name: 'Forced future' }),
        200,
      );
      const dashboard = clients[1]!;
      await waitFor(
        () =>
          (phone.c.view.get(`${spaceId}/door/${doorId}`) as any)?.name ===
          'Forced future',
        'the phone shows the future',
      );
      const oldEpoch = epochOf(phone.c.cursor);

      const refused = await cli('restore', backupFile);
      expect(refused.out).toMatch(/in use: .*a Keyway node \(keyway\)/);
      expect(refused.code).toBe(1);
      const exited = new Promise<number | null>((r) =>
        server.child.once('exit', (code) => r(code)),
      );
      const forced = await cli('restore', backupFile, '--force');
      expect(forced.out).toMatch(/Restored .*New sync epoch/);
      expect(forced.code).toBe(0);
      expect(await exited).toBe(75);
      expect(server.output).toMatch(/the sync epoch changed under this node/);

      // What a supervisor does: start it again. Its clients were never stopped.
      server = await start();
      await waitFor(
        async () => (await sameView(phone.c, memberToken)) || undefined,
        'the phone converges',
        30_000,
      );
      await waitFor(
        async () => (await sameView(dashboard, owner)) || undefined,
        'the dashboard converges',
        30_000,
      );
      await waitFor(
        async () =>
          JSON.stringify(sorted(unitState().view)) ===
            JSON.stringify(sorted(await unitViewStored())) || undefined,
        'the unit converges',
        30_000,
      );
      expect(epochOf(phone.c.cursor)).not.toBe(oldEpoch);
      expect(
        phone.applied.find((a) => epochOf(a.cursor) !== oldEpoch)?.kind,
      ).toBe('snapshot');
      expect(
        (phone.c.view.get(`${spaceId}/door/${doorId}`) as any)?.name,
      ).not.toBe('Forced future');
    },
    120_000,
  );
});

/** Keys in order, so two views compare as JSON. */
function sorted(view: Record<string, unknown>): [string, unknown][] {
  return Object.entries(view).sort(([a], [b]) => (a < b ? -1 : 1));
}
