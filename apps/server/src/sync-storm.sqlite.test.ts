import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './cluster/nats';
import { type Seeded, seed } from './test/bulk-seed';
import { createTestDatabase, type TestDatabase } from './test/db';
import { expectStatus } from './test/harness';
import { ServerProcess } from './test/server-process';
import { Fleet, type FleetTarget } from './test/storm-fleet';
import { waitFor } from './test/unit-process';

/**
 * A reconnect storm (issue 22 item 4), at a size a test can afford: a server with 120 phones
 * (real SyncClients) and 60 units (real unit agents) is killed just after a commit, and started
 * again on the same ports and database. Every client must come back, resume by cursor (no
 * snapshot: the restart lost no cursor), get the change some of them missed when the server
 * died and the one committed while they were reconnecting, while the server keeps answering.
 * `npm run bench:storm` is the same at 2,000 units and 5,000 phones, with figures.
 */

const PHONES = 120;
const UNITS = 60;
const METRICS_TOKEN = 'storm-metrics-token';

describe('a reconnect storm after a server restart', () => {
  let db: TestDatabase;
  let seeded: Seeded;
  let server: ServerProcess;
  let fleet: Fleet;
  const ports = { port: 0, mqttPort: 0 };

  const start = async () =>
    ServerProcess.start({
      dataDir: db.dataDir,
      outbox: join(db.dataDir, 'sms.jsonl'),
      ...ports,
      env: {
        KEYWAY_LOG_LEVEL: 'warn',
        KEYWAY_SYNC_HEARTBEAT_MS: '1000',
        KEYWAY_METRICS_TOKEN: METRICS_TOKEN,
      },
    });

  const patch = async (path: string, body: object) =>
    expectStatus(
      await server.request('PATCH', path, { token: seeded.owner, body }),
      200,
    );

  /** One change each side sees: the door's name and the units' time zone. */
  const rename = async (door: string, unitTimezone: string) => {
    await patch(`/v1/doors/${seeded.phoneDoorId}`, { name: door });
    await patch(`/v1/spaces/${seeded.unitSpaceId}`, { timezone: unitTimezone });
  };

  const catchUps = async () => {
    const res = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const text = await res.text();
    const count = (kind: string, how: string) =>
      Number(
        new RegExp(
          `^keyway_sync_catchups_total\\{kind="${kind}",how="${how}"\\} (\\d+)`,
          'm',
        ).exec(text)?.[1] ?? 0,
      );
    return {
      phones: {
        replay: count('websocket', 'replay'),
        snapshot: count('websocket', 'snapshot'),
      },
      units: {
        replay: count('unit', 'replay'),
        snapshot: count('unit', 'snapshot'),
      },
    };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    seeded = await seed(db.dataDir, {
      members: PHONES,
      fanLevels: [PHONES],
      units: UNITS,
    });
    ports.port = await freePort();
    ports.mqttPort = await freePort();
    server = await start();
    fleet = new Fleet({
      syncUrl: `${server.url.replace('http', 'ws')}/v1/sync`,
      mqttUrl: server.mqttUrl,
      phones: seeded.members,
      units: seeded.units,
      phoneSpaceId: seeded.phoneSpaceId,
      phoneDoorId: seeded.phoneDoorId,
      unitSpaceId: seeded.unitSpaceId,
    });
    fleet.start();
  }, 120_000);

  afterAll(async () => {
    await fleet?.stop();
    await server?.kill();
    await db?.drop();
  });

  it('resumes every phone and unit by cursor with nothing missed, and answers during it', async () => {
    const before: FleetTarget = {
      doorName: 'Front door',
      phoneTimezone: 'Europe/Madrid',
      unitTimezone: 'Europe/Lisbon',
      unitLockdown: false,
    };
    fleet.expect(before);
    await rename(before.doorName, before.unitTimezone);
    await waitFor(
      () => fleet.status().lastDoneAt !== null,
      'all clients caught up',
      60_000,
    );

    // A change, then the server dies at once: some clients have it, some never will from it.
    const target: FleetTarget = {
      doorName: 'Front door (new)',
      phoneTimezone: 'Atlantic/Canary',
      unitTimezone: 'Europe/Paris',
      unitLockdown: true,
    };
    fleet.expect(target);
    await rename(target.doorName, target.unitTimezone);
    await server.kill();
    server = await start();
    // While they come back: one more change each (the phones' space, the units' lockdown).
    await patch(`/v1/spaces/${seeded.phoneSpaceId}`, {
      timezone: target.phoneTimezone,
    });
    await patch(`/v1/spaces/${seeded.unitSpaceId}`, { lockdown: true });
    const me: number[] = [];
    while (fleet.status().lastDoneAt === null) {
      const res = await server.request('GET', '/v1/me', {
        token: seeded.owner,
      });
      me.push(res.status);
      if (me.length > 20_000) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const status = fleet.status();
    expect(status).toMatchObject({
      phonesDone: PHONES,
      unitsDone: UNITS,
      phonesLive: PHONES,
      unitsOnline: UNITS,
      phoneSnapshots: 0,
    });
    expect(status.lastDoneAt).not.toBeNull();
    // Every request during the storm was answered, none refused or failed.
    expect(me.length).toBeGreaterThan(0);
    expect(me.every((s) => s === 200)).toBe(true);
    // The restarted server saw each client catch up, every one by replay after its cursor.
    const c = await catchUps();
    expect(c.phones.snapshot).toBe(0);
    expect(c.units.snapshot).toBe(0);
    expect(c.phones.replay).toBeGreaterThanOrEqual(PHONES);
    expect(c.units.replay).toBeGreaterThanOrEqual(UNITS);
    // Every client reconnected by itself (the old sockets died with the old server).
    expect(status.phoneAttempts).toBeGreaterThanOrEqual(PHONES);
    expect(status.unitAttempts).toBeGreaterThanOrEqual(UNITS);
  }, 180_000);
});
