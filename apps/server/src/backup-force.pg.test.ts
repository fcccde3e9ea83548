import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupWorld, epochOf } from './test/backup-world';
import { waitFor } from './test/unit-process';

describe('PostgreSQL: a restore under a running node (--force)', () => {
  let w: BackupWorld;
  beforeAll(async () => {
    w = await BackupWorld.create();
  }, 60_000);
  afterAll(() => w?.stop(), 60_000);

  it('is refused without --force; with it, the node notices the new epoch, drains and exits 75, and its clients converge once it is back', async () => {
    const phone = w.client(w.memberToken);
    const dashboard = w.client(w.owner);
    w.spawnUnit();
    await waitFor(
      () => phone.c.status === 'live' && dashboard.c.status === 'live',
      'phone and dashboard live',
    );
    await waitFor(() => w.unitState().cursor, 'the unit saved its first view');
    const backupFile = join(w.work, 'keyway.backup');
    expect((await w.cli('backup', '--out', backupFile)).code).toBe(0);

    await w.patch(`/v1/doors/${w.doorId}`, { name: 'Forced future' });
    await w.patch(`/v1/doors/${w.door2Id}`, { pulseMs: 4321 });
    const doorName = () =>
      (phone.c.view.get(`${w.spaceId}/door/${w.doorId}`) as { name?: string })
        ?.name;
    await waitFor(
      () =>
        doorName() === 'Forced future' &&
        (w.unitState().view[`${w.spaceId}/unit.config/${w.unitId}`] as any)
          ?.doors?.[1]?.pulseMs === 4321,
      'the phone and the unit show the future',
    );
    const oldEpoch = epochOf(phone.c.cursor);

    const refused = await w.cli('restore', backupFile);
    expect(refused.out).toMatch(/in use: .*a Keyway node \(keyway\)/);
    expect(refused.code).toBe(1);
    expect((await w.stored()).door).toBe('Forced future');

    const exited = new Promise<number | null>((r) =>
      w.server.child.once('exit', (code) => r(code)),
    );
    const forced = await w.cli('restore', backupFile, '--force');
    expect(forced.out).toMatch(/Restored .*New sync epoch/);
    expect(forced.code).toBe(0);
    expect(await exited).toBe(75);
    expect(w.server.output).toMatch(/the sync epoch changed under this node/);

    // What its supervisor does: start it again. The clients were never stopped.
    await w.start();
    await w.converges(phone.c, w.memberToken, 'the phone converges');
    await w.converges(dashboard.c, w.owner, 'the dashboard converges');
    await w.unitConverges('the unit converges');
    for (const c of [phone, dashboard]) {
      expect(epochOf(c.c.cursor)).not.toBe(oldEpoch);
      expect(c.applied.find((a) => epochOf(a.cursor) !== oldEpoch)?.kind).toBe(
        'snapshot',
      );
    }
    expect(epochOf(w.unitState().cursor)).not.toBe(oldEpoch);
    expect(doorName()).not.toBe('Forced future');
    expect(
      (w.unitState().view[`${w.spaceId}/unit.config/${w.unitId}`] as any)
        ?.doors?.[1]?.pulseMs,
    ).not.toBe(4321);
  }, 120_000);
});
