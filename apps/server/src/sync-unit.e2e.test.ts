import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewRows } from './sync/shared';
import { unitAudience } from './sync/views';
import { buildSpace } from './test/fixtures';
import { expectStatus, TestServer } from './test/harness';
import { UnitProcess, waitFor } from './test/unit-process';

/** The cursors the real unit process logged as applied, in order. */
const appliedCursors = (output: string) =>
  [...output.matchAll(/(snapshot|change) (\S+\.\d+) applied/g)].map((m) => ({
    type: m[1],
    cursor: m[2]!,
  }));

describe('units follow their configuration and access list over MQTT (real unit process)', () => {
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;
  let unit: UnitProcess;
  const stateFile = join(
    mkdtempSync(join(tmpdir(), 'keyway-unit-')),
    'state.json',
  );
  const state = () => {
    try {
      return JSON.parse(readFileSync(stateFile, 'utf8')) as {
        cursor: string;
        view: Record<string, any>;
      };
    } catch {
      return { cursor: '', view: {} as Record<string, any> }; // not written yet
    }
  };
  /** What the server says this unit's view is now. */
  const serverView = async () => {
    const rows = await viewRows(t.server.ctx.db)
      .where('v.audience', '=', unitAudience(s.unit.id))
      .execute();
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value!)]));
  };
  /** The receipt of the latest change that reached the unit. */
  const unitReceipt = async () => {
    const receipts = expectStatus(
      await t.request('GET', `/v1/spaces/${s.space.id}/receipts?limit=10`, {
        token: s.owner,
      }),
      200,
    ).receipts;
    return receipts.find((r: any) => r.units.total > 0)?.units;
  };

  beforeAll(async () => {
    t = await TestServer.start();
    s = await buildSpace(t);
    unit = UnitProcess.spawn(s.credentials, [], stateFile);
    await waitFor(
      () => appliedCursors(unit.output).length > 0 && state().cursor,
      'first snapshot applied and saved',
    );
  });
  afterAll(async () => {
    await unit?.kill();
    await t?.stop();
  });

  it('gets a snapshot of its doors and access list, then live changes, and the server knows what it applied', async () => {
    expect(appliedCursors(unit.output)[0]!.type).toBe('snapshot');
    const config = await waitFor(
      () =>
        Object.entries(state().view).find(([k]) =>
          k.includes('/unit.config/'),
        )?.[1],
      'the unit config saved',
    );
    expect(config.doors.map((d: any) => [d.relay, d.pulseMs])).toEqual([
      [1, 200],
      [2, 500],
    ]);

    // A member added to the group lands in the unit's access list.
    await t.login('+34633000001');
    const m = await t.request('POST', `/v1/spaces/${s.space.id}/members`, {
      token: s.owner,
      body: { phone: '+34633000001', groupIds: [s.group.id] },
    });
    const member = expectStatus(m, 201).member;
    await waitFor(
      () =>
        Object.keys(state().view).some((k) =>
          k.endsWith(`/unit.access/${member.id}`),
        ),
      'member in the unit access list',
    );
    expect(state().view).toEqual(await serverView());
    await waitFor(
      async () => (await unitReceipt())?.received === 1,
      'receipt: applied on 1 of 1 units',
    );

    // Revoked: the unit confirms the revocation.
    expectStatus(
      await t.request('DELETE', `/v1/members/${member.id}`, { token: s.owner }),
      204,
    );
    await waitFor(
      () =>
        !Object.keys(state().view).some((k) =>
          k.endsWith(`/unit.access/${member.id}`),
        ),
      'member gone from the unit',
    );
    await waitFor(async () => {
      const u = await unitReceipt();
      return u?.total === 1 && u.received === 1;
    }, 'revocation confirmed by the unit');
  });

  it('a unit offline during ten changes comes back and applies exactly those, in order', async () => {
    await unit.kill('SIGKILL');
    await waitFor(
      async () =>
        !(await t.request('GET', `/v1/units/${s.unit.id}`, { token: s.owner }))
          .body.unit.online,
      'unit offline',
    );
    const before = state().cursor;
    const seenBefore = appliedCursors(unit.output).length;
    for (let i = 1; i <= 10; i++) {
      expectStatus(
        await t.request('PATCH', `/v1/doors/${s.door.id}`, {
          token: s.owner,
          body: { pulseMs: 1000 + i },
        }),
        200,
      );
    }
    const missed = (
      await t.server.ctx.db
        .selectFrom('change_targets')
        .select('cursor')
        .where('audience', '=', unitAudience(s.unit.id))
        .where('cursor', '>', Number(before.split('.')[1]))
        .orderBy('cursor')
        .execute()
    ).map((r) => `${before.split('.')[0]}.${Number(r.cursor)}`);
    expect(missed).toHaveLength(10);

    unit = UnitProcess.spawn(s.credentials, [], stateFile);
    await waitFor(
      () => appliedCursors(unit.output).length >= 10,
      'ten changes applied',
    );
    const applied = appliedCursors(unit.output);
    expect(seenBefore).toBeGreaterThan(0);
    expect(applied.map((a) => a.type)).toEqual(Array(10).fill('change'));
    expect(applied.map((a) => a.cursor)).toEqual(missed);
    await waitFor(() => state().cursor === missed[9], 'last change saved');
    const config = Object.entries(state().view).find(([k]) =>
      k.includes('/unit.config/'),
    )![1];
    expect(config.doors[0].pulseMs).toBe(1010);
    expect(state().view).toEqual(await serverView());
  });
});
