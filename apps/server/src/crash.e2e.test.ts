import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './test/db';
import { PHONES } from './test/fixtures';
import { expectStatus } from './test/harness';
import { ServerProcess } from './test/server-process';
import { UnitProcess, waitFor } from './test/unit-process';

type Access = { timeFrames: { days: string[]; from: string; to: string }[] };
const accessFor = (i: number): Access => ({
  timeFrames: [
    {
      days: ['mon', 'wed'],
      from: '08:00',
      to: `${String(10 + (i % 12)).padStart(2, '0')}:30`,
    },
  ],
});

/** What the clients were told was done: only writes answered 2xx count. */
interface Acked {
  opens: string[];
  groups: { id: string; name: string; doorIds: string[] }[];
  /** `access` lists what may be stored: an unanswered PATCH may or may not have committed. */
  members: {
    id: string;
    phone: string;
    name: string;
    groupIds: string[];
    access: Access[];
  }[];
}

describe('SIGKILL of the server in the middle of opens and admin writes', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  let unit: UnitProcess | undefined;
  let owner: string;
  let memberToken: string;
  let spaceId: string;
  let unitId: string;
  let doorIds: string[];
  const acked: Acked = { opens: [], groups: [], members: [] };

  const start = (mqttPort?: number) =>
    ServerProcess.start({
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      outbox: join(db.dataDir, 'sms.jsonl'),
      mqttPort,
      env: { KEYWAY_AUTH_PER_IP: '100000', KEYWAY_CODES_PER_PHONE: '1000' },
    });
  const api = (method: string, path: string, body?: unknown, token = owner) =>
    server.request(method, path, { token, body });
  const post = async (path: string, body: unknown) =>
    expectStatus(await api('POST', path, body), 201);
  const unitOnline = async () =>
    (await api('GET', `/v1/units/${unitId}`)).body?.unit?.online === true;

  /** Ids of every granted open in the access log, all pages. */
  const grantedOpens = async () => {
    const ids = new Set<string>();
    const q = `/v1/spaces/${spaceId}/events?type=door.open&limit=1000`;
    for (let cursor = ''; ; ) {
      const page = expectStatus(await api('GET', `${q}${cursor}`), 200);
      for (const e of page.events as { id: string; result: string }[])
        if (e.result === 'granted') ids.add(e.id);
      if (!page.nextCursor) return ids;
      cursor = `&cursor=${page.nextCursor}`;
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await start();
    owner = await server.login(PHONES.owner);
    spaceId = (
      await post('/v1/spaces', { name: 'Crash HQ', timezone: 'Europe/Madrid' })
    ).space.id;
    const created = await post(`/v1/spaces/${spaceId}/units`, {
      name: 'Gate unit',
    });
    unitId = created.unit.id;
    doorIds = [];
    for (const relay of [1, 2])
      doorIds.push(
        (
          await post(`/v1/spaces/${spaceId}/doors`, {
            name: `Door ${relay}`,
            unitId,
            relay,
          })
        ).door.id,
      );
    const group = (
      await post(`/v1/spaces/${spaceId}/groups`, { name: 'Residents', doorIds })
    ).group;
    await post(`/v1/spaces/${spaceId}/members`, {
      phone: PHONES.member,
      groupIds: [group.id],
    });
    memberToken = await server.login(PHONES.member);
    unit = UnitProcess.spawn(created.credentials);
    await waitFor(unitOnline, 'unit online');
  }, 60_000);

  afterAll(async () => {
    await unit?.kill();
    await ServerProcess.killAll(); // the restarted one too, even if the test died mid-restart
    await db?.drop();
  }, 60_000);

  it('keeps every acknowledged write, and the database is intact', async () => {
    let killed = false;
    // A request cut by the kill rejects (socket closed): that write is unknown, not acknowledged.
    const guard = async (work: () => Promise<void>) => {
      while (!killed) await work().catch(() => undefined);
    };
    const opener = (i: number) =>
      guard(async () => {
        const path = `/v1/doors/${doorIds[i % 2]}/open`;
        const res = await api('POST', path, undefined, memberToken);
        if (res.status === 200) acked.opens.push(res.body.event.id);
      });
    let n = 0;
    const admin = (w: number) =>
      guard(async () => {
        const i = n++;
        const name = `Crew ${w}-${i}`;
        const doors = [doorIds[0]!];
        const g = await api('POST', `/v1/spaces/${spaceId}/groups`, {
          name,
          doorIds: doors,
        });
        if (g.status !== 201) return;
        acked.groups.push({ id: g.body.group.id, name, doorIds: doors });
        const phone = `+3462${w}${String(i).padStart(6, '0')}`;
        const body = {
          phone,
          name: `M ${i}`,
          groupIds: [g.body.group.id],
          access: accessFor(i),
        };
        const m = await api('POST', `/v1/spaces/${spaceId}/members`, body);
        if (m.status !== 201) return;
        const entry = {
          id: m.body.member.id as string,
          phone,
          name: body.name,
          groupIds: body.groupIds,
          access: [body.access],
        };
        acked.members.push(entry);
        const next = accessFor(i + 5);
        entry.access.push(next);
        const p = await api('PATCH', `/v1/members/${entry.id}`, {
          access: next,
        });
        if (p.status === 200) entry.access = [next];
      });

    const streams = [0, 1, 2, 3].map(opener).concat([0, 1].map(admin));
    await new Promise((r) => setTimeout(r, 1_000));
    await waitFor(
      () => acked.opens.length >= 10 && acked.members.length >= 5,
      'some acknowledged writes',
    );
    await server.kill('SIGKILL');
    killed = true;
    await Promise.all(streams);

    if (!db.databaseUrl) {
      const file = new SQLite(join(db.dataDir, 'keyway.db'), {
        readonly: true,
      });
      try {
        expect(file.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(file.pragma('foreign_key_check')).toEqual([]);
      } finally {
        file.close();
      }
    }

    server = await start(server.mqttPort); // same database, same broker port for the unit
    expect((await server.request('GET', '/healthz')).status).toBe(200);

    for (const g of acked.groups) {
      const got = expectStatus(await api('GET', `/v1/groups/${g.id}`), 200);
      expect(got.group).toMatchObject(g);
    }
    for (const m of acked.members) {
      const got = expectStatus(await api('GET', `/v1/members/${m.id}`), 200);
      const { access, ...fields } = m;
      expect(got.member).toMatchObject(fields);
      expect(
        access.map((a) => a.timeFrames),
        m.id,
      ).toContainEqual(got.member.access.timeFrames);
    }
    const granted = await grantedOpens();
    expect(acked.opens.filter((id) => !granted.has(id))).toEqual([]);

    // The unit finds the restarted server by itself, and opening works again.
    await waitFor(unitOnline, 'unit back online', 20_000);
    const path = `/v1/doors/${doorIds[0]}/open`;
    const again = await api('POST', path, undefined, memberToken);
    expect(again.status).toBe(200);
    expect(again.body.result).toBe('opened');
  }, 90_000);
});
