import { join } from 'node:path';
import { SyncClient, type SyncStatus } from '@keyway/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createTestDatabase, type TestDatabase } from './test/db';
import { PHONES } from './test/fixtures';
import { expectStatus } from './test/harness';
import { unitPulses } from './test/net-clients';
import { ServerProcess } from './test/server-process';
import { UnitProcess, waitFor } from './test/unit-process';

describe('SIGTERM in the middle of opens and admin writes: a graceful shutdown', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  let unit: UnitProcess | undefined;
  let owner: string;
  let memberToken: string;
  let spaceId: string;
  let unitId: string;
  let groupId: string;
  let doorIds: string[];

  const start = (port?: number, mqttPort?: number) =>
    ServerProcess.start({
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      outbox: join(db.dataDir, 'sms.jsonl'),
      ...(port ? { port } : {}),
      mqttPort,
      env: {
        KEYWAY_AUTH_PER_IP: '100000',
        KEYWAY_CODES_PER_PHONE: '1000',
        KEYWAY_SHUTDOWN_MS: '8000',
      },
    });
  const api = (method: string, path: string, body?: unknown, token = owner) =>
    server.request(method, path, { token, body });
  const post = async (path: string, body: unknown) =>
    expectStatus(await api('POST', path, body), 201);

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await start();
    owner = await server.login(PHONES.owner);
    spaceId = (
      await post('/v1/spaces', { name: 'Term HQ', timezone: 'Europe/Madrid' })
    ).space.id;
    const created = await post(`/v1/spaces/${spaceId}/units`, { name: 'Gate' });
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
    groupId = (
      await post(`/v1/spaces/${spaceId}/groups`, { name: 'Residents', doorIds })
    ).group.id;
    await post(`/v1/spaces/${spaceId}/members`, {
      phone: PHONES.member,
      groupIds: [groupId],
    });
    memberToken = await server.login(PHONES.member);
    unit = UnitProcess.spawn(created.credentials);
    await waitFor(
      async () =>
        (await api('GET', `/v1/units/${unitId}`)).body?.unit?.online === true,
      'unit online',
    );
  }, 60_000);

  afterAll(async () => {
    await unit?.kill();
    await ServerProcess.killAll();
    await db?.drop();
  }, 60_000);

  it('finishes what is in flight, keeps every acknowledged write, pulses for every "opened", and clients come back', async () => {
    const statuses: SyncStatus[] = [];
    const errors: string[] = [];
    const phone = new SyncClient({
      url: `${server.url.replace(/^http/, 'ws')}/v1/sync`,
      token: memberToken,
      WebSocketImpl: WebSocket,
      backoff: { minMs: 100, maxMs: 1000 },
    });
    phone.on('status', (s) => statuses.push(s));
    phone.on('error', (e) => errors.push(e.code));
    phone.start();
    await waitFor(() => phone.status === 'live', 'phone live');

    const acked = { opens: [] as string[], members: [] as string[] };
    const refusedWhileDraining: number[] = [];
    let stopped = false;
    const guard = async (work: () => Promise<void>) => {
      while (!stopped) await work().catch(() => undefined);
    };
    const opener = (i: number) =>
      guard(async () => {
        const res = await api(
          'POST',
          `/v1/doors/${doorIds[i % 2]}/open`,
          undefined,
          memberToken,
        );
        if (res.status === 200) acked.opens.push(res.body.event.id);
        else if (res.body?.error?.code === 'shutting_down')
          refusedWhileDraining.push(res.status);
      });
    let n = 0;
    const admin = guard(async () => {
      const i = n++;
      const m = await api('POST', `/v1/spaces/${spaceId}/members`, {
        phone: `+3463${String(i).padStart(7, '0')}`,
        groupIds: [groupId],
      });
      if (m.status === 201) acked.members.push(m.body.member.id);
      else if (m.body?.error?.code === 'shutting_down')
        refusedWhileDraining.push(m.status);
    });
    const streams = [0, 1, 2].map(opener).concat([admin]);
    await waitFor(
      () => acked.opens.length >= 5 && acked.members.length >= 5,
      'some acknowledged work',
    );

    const exitCode = new Promise<number | null>((r) =>
      server.child.once('exit', (code) => r(code)),
    );
    server.child.kill('SIGTERM');
    expect(await exitCode).toBe(0); // drained within KEYWAY_SHUTDOWN_MS, not cut off
    stopped = true;
    await Promise.all(streams);
    expect(server.output).toMatch(/shutting down: finishing what is in flight/);
    expect(errors).toContain('server_shutdown');
    for (const s of refusedWhileDraining) expect(s).toBe(503);

    // Every "opened" the phones were told about is a pulse the unit made.
    await waitFor(
      () => unitPulses(unit!.output).length >= acked.opens.length,
      'the unit logged its pulses',
    );
    expect(unitPulses(unit!.output).length).toBeGreaterThanOrEqual(
      acked.opens.length,
    );

    const old = server;
    server = await start(Number(new URL(old.url).port), old.mqttPort);
    for (const id of acked.members)
      expectStatus(await api('GET', `/v1/members/${id}`), 200);
    const logged = new Set<string>();
    for (let cursor = ''; ; ) {
      const page = expectStatus(
        await api(
          'GET',
          `/v1/spaces/${spaceId}/events?type=door.open&limit=1000${cursor}`,
        ),
        200,
      );
      for (const e of page.events as { id: string }[]) logged.add(e.id);
      if (!page.nextCursor) break;
      cursor = `&cursor=${page.nextCursor}`;
    }
    for (const id of acked.opens) expect(logged.has(id), id).toBe(true);

    // The phone reconnects by itself to the server that came back, and is live again.
    await waitFor(() => phone.status === 'live', 'phone live again', 30_000);
    expect(statuses).toContain('offline');
    phone.stop();
  }, 120_000);
});
