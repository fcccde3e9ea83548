import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncClient } from '@keyway/protocol';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteFile } from './db/connect';
import {
  appliedCursors,
  BackupWorld,
  cursorNumber,
  epochOf,
} from './test/backup-world';
import { waitFor } from './test/unit-process';

const onPostgres = process.env.KEYWAY_TEST_DB === 'postgres';

describe('backup while writing, more writes, restore: every client takes a snapshot of the restored state', () => {
  let w: BackupWorld;
  beforeAll(async () => {
    w = await BackupWorld.create();
  }, 60_000);
  afterAll(() => w?.stop(), 60_000);

  it('restores what the backup holds, and every phone, dashboard and unit converges to it by snapshot', async () => {
    const phone = w.client(w.memberToken);
    const dashboard = w.client(w.owner);
    let unit = w.spawnUnit();
    await waitFor(
      () => phone.c.status === 'live' && dashboard.c.status === 'live',
      'phone and dashboard live',
    );
    await waitFor(() => w.unitState().cursor, 'the unit saved its first view');

    // A stream of writes (members added to the group: dashboards and the unit see them; the
    // door renamed: the phone sees it), with a backup taken in the middle of it.
    const acked: { id: string; startedAt: number }[] = [];
    let writing = true;
    let n = 0;
    const writer = (async () => {
      while (writing) {
        const i = n++;
        const startedAt = performance.now();
        const m = await w.api('POST', `/v1/spaces/${w.spaceId}/members`, {
          phone: `+3465${String(i).padStart(7, '0')}`,
          groupIds: [w.groupId],
        });
        if (m.status === 201) acked.push({ id: m.body.member.id, startedAt });
        await w.api('PATCH', `/v1/doors/${w.doorId}`, {
          name: `Front door v${i}`,
        });
      }
    })();
    await waitFor(() => acked.length >= 5, 'writes under way');
    const backupStarted = performance.now();
    const backupFile = join(w.work, 'keyway.backup');
    const backup = await w.cli('backup', '--out', backupFile);
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
    const futureMemberId: string = (
      await w.post(`/v1/spaces/${w.spaceId}/members`, {
        phone: '+34699000001',
        groupIds: [w.groupId],
      })
    ).member.id;
    await w.patch(`/v1/doors/${w.doorId}`, { name: 'Lost future door' });
    await w.patch(`/v1/doors/${w.door2Id}`, { pulseMs: 4321 });
    const phoneDoor = (c: SyncClient) =>
      (c.view.get(`${w.spaceId}/door/${w.doorId}`) as { name?: string })?.name;
    const futureAdminKey = `${w.spaceId}/admin.member/${futureMemberId}`;
    const futureUnitKey = `${w.spaceId}/unit.access/${futureMemberId}`;
    await waitFor(
      () =>
        phoneDoor(phone.c) === 'Lost future door' &&
        dashboard.c.view.has(futureAdminKey) &&
        futureUnitKey in w.unitState().view,
      'every client shows the future',
    );
    const oldEpoch = epochOf(phone.c.cursor);
    expect(epochOf(w.unitState().cursor)).toBe(oldEpoch);

    // Not while the server runs: it has the database open.
    const busy = await w.cli('restore', backupFile);
    expect(busy.out).toMatch(/is in use.*Stop .*Nothing was changed/s);
    expect(busy.code).toBe(1);
    expect((await w.stored()).door).toBe('Lost future door');

    // The phone and the unit go away holding the future; the dashboard stays, reconnecting.
    phone.c.stop();
    const phoneKept = {
      cursor: phone.c.cursor!,
      view: Object.fromEntries(phone.c.view),
    };
    await unit.kill('SIGTERM');
    const unitKept = w.unitState();
    expect(futureUnitKey in unitKept.view).toBe(true);
    await w.server.kill('SIGTERM');
    const dashboardCursor = dashboard.c.cursor!;

    // Bad input changes nothing.
    const before = await w.stored();
    const fingerprint = () =>
      w.db.databaseUrl
        ? ''
        : `${readdirSync(w.db.dataDir).sort().join(',')}:${createHash('sha256')
            .update(readFileSync(sqliteFile(w.db.dataDir)))
            .digest('hex')}`;
    const unchanged = fingerprint();
    const bad = (name: string, content: string | Buffer) => {
      const file = join(w.work, name);
      writeFileSync(file, content);
      return file;
    };
    const whole = readFileSync(backupFile);
    const otherSqlite = join(w.work, 'other.db');
    const other = new SQLite(otherSqlite);
    other.exec('CREATE TABLE notes (text TEXT)');
    other.close();
    const fakeDump = bad(
      'fake.dump',
      Buffer.concat([Buffer.from('PGDMP'), Buffer.alloc(500, 7)]),
    );
    const cases: [string[], RegExp][] = [
      [['restore'], /which backup FILE/],
      [['backup'], /--out FILE is required/],
      [['backup', '--out', join(w.work, 'no/such/dir/b')], /does not exist/],
      [['restore', join(w.work, 'missing')], /no such file/],
      [
        ['restore', bad('garbage', 'not a backup at all\n'.repeat(100))],
        /not a Keyway backup/,
      ],
      [['restore', bad('empty', '')], /not a Keyway backup.*empty/],
      [
        ['restore', bad('truncated', whole.subarray(0, whole.length >> 1))],
        /damaged/,
      ],
    ];
    if (onPostgres) {
      cases.push([['restore', otherSqlite], /is a SQLite backup/]);
      cases.push([['restore', fakeDump], /damaged or not a pg_dump/]);
    } else {
      cases.push([['restore', otherSqlite], /not a Keyway database/]);
      cases.push([['restore', fakeDump], /is a PostgreSQL backup/]);
      // A backup of a newer Keyway (a migration this one does not know).
      const newerFile = bad('newer.db', whole);
      const newer = new SQLite(newerFile);
      newer
        .prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)')
        .run('999_from_the_future', new Date().toISOString());
      newer.close();
      cases.push([['restore', newerFile], /newer Keyway.*999_from_the_future/]);
    }
    const results = await Promise.all(cases.map(([args]) => w.cli(...args)));
    cases.forEach(([args, message], i) => {
      expect(results[i]!.out, args.join(' ')).toMatch(message);
      expect(results[i]!.code, args.join(' ')).not.toBe(0);
    });
    expect(fingerprint()).toBe(unchanged);
    expect(await w.stored()).toEqual(before);

    // The restore.
    const restore = await w.cli('restore', backupFile);
    expect(restore.out).toMatch(/Restored .*New sync epoch/);
    expect(restore.code).toBe(0);
    const restored = await w.stored();
    expect(restored.epoch).not.toBe(oldEpoch);
    expect(restored.door).not.toBe('Lost future door');
    // Every member acknowledged before the backup began is there; none added after it ended.
    for (const a of acked.filter((x) => x.startedAt < backupStarted))
      expect(restored.members).toContain(a.id);
    for (const a of acked.filter((x) => x.startedAt > backupEnded))
      expect(restored.members).not.toContain(a.id);
    expect(restored.members).not.toContain(futureMemberId);

    await w.start();
    // Writes after the restore take the log past every cursor the lost future handed out, for
    // each client's own audiences too: a client resuming by cursor number alone would now be
    // replayed the changes after its cursor and keep the future it saw.
    const lostHead = Math.max(
      ...[phoneKept.cursor, unitKept.cursor!, dashboardCursor].map(
        cursorNumber,
      ),
    );
    for (let i = 0, past = 0; ; i++) {
      // …and then three more, so that each audience has changes past it, not just the log.
      if ((await w.headCursor()) > lostHead + 2 && ++past > 3) break;
      // Seen by the phone (the name), the dashboard and the unit (the pulse).
      await w.patch(`/v1/doors/${w.door2Id}`, {
        name: `Garage ${i}`,
        pulseMs: 600 + i,
      });
    }

    // The phone comes back with the future's cursor and view; the unit with its state file.
    const phoneBack = w.client(w.memberToken, phoneKept);
    unit = w.spawnUnit();
    await w.converges(
      phoneBack.c,
      w.memberToken,
      'the phone converges to the restored state',
    );
    await w.converges(
      dashboard.c,
      w.owner,
      'the dashboard converges to the restored state',
    );
    await w.unitConverges('the unit converges to the restored state');

    // By snapshot: the first thing each applied after the restore was a snapshot of the new epoch.
    const newEpoch = restored.epoch;
    expect(phoneBack.applied[0]?.kind).toBe('snapshot');
    expect(epochOf(phoneBack.applied[0]?.cursor)).toBe(newEpoch);
    const dashAfter = dashboard.applied.filter(
      (a) => epochOf(a.cursor) !== oldEpoch,
    );
    expect(dashAfter[0]?.kind).toBe('snapshot');
    const unitAfter = appliedCursors(unit.output); // the restarted unit's own log
    expect(unitAfter[0]?.type).toBe('snapshot');
    expect(epochOf(unitAfter[0]?.cursor)).toBe(newEpoch);

    // Nothing from the lost future is shown as current.
    expect(phoneDoor(phoneBack.c)).toBe(restored.door);
    expect(dashboard.c.view.has(futureAdminKey)).toBe(false);
    expect(futureUnitKey in w.unitState().view).toBe(false);
    for (const c of [phoneBack.c, dashboard.c])
      expect(epochOf(c.cursor)).toBe(newEpoch);
    expect(epochOf(w.unitState().cursor)).toBe(newEpoch);
  }, 180_000);
});
