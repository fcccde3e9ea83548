import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitAudience } from './sync/views';
import { buildSpace, PHONES } from './test/fixtures';
import { expectStatus, TestServer } from './test/harness';
import {
  changesSince,
  cursorsAfter,
  type Recorded,
  recordedClient,
  unitApplied,
  unitPulses,
} from './test/net-clients';
import { NetProxy } from './test/net-proxy';
import { UnitProcess, waitFor } from './test/unit-process';

/**
 * Phones, dashboards and units on real networks (issue 22): every client reaches the server
 * through a NetProxy adding latency, jitter or a stall. Networking does not depend on the
 * storage, so this file runs once (on SQLite).
 */

const INTERVAL = 1000; // KEYWAY_SYNC_HEARTBEAT_MS
const KEEPALIVE_S = 2; // the unit's MQTT keep-alive: the broker drops it after 3 s of silence
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request as the phone makes it, through the proxy; a hang fails the test instead of waiting. */
async function viaProxy(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(opts.token && { authorization: `Bearer ${opts.token}` }),
      ...(opts.body !== undefined && { 'content-type': 'application/json' }),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(15_000),
  });
  return {
    status: res.status,
    body: (await res.json()) as any,
    headers: res.headers,
  };
}

const last = (r: Recorded) => r.applied.at(-1)!.cursor;
const lastOf = (output: string) => unitApplied(output).at(-1)!.split(' ')[1]!;

async function memberOf(
  t: TestServer,
  s: Awaited<ReturnType<typeof buildSpace>>,
) {
  expectStatus(
    await t.request('POST', `/v1/spaces/${s.space.id}/members`, {
      token: s.owner,
      body: { phone: PHONES.member, groupIds: [s.group.id] },
    }),
    201,
  );
}

describe('sync and opens through a slow, stalling network', () => {
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;
  let web: NetProxy;
  let mqtt: NetProxy;
  let unit: UnitProcess;
  let phone: Recorded;
  let dashboard: Recorded;
  let member: string;
  let syncUrl: string;

  const unitOnline = async () =>
    expectStatus(
      await t.request('GET', `/v1/units/${s.unit.id}`, { token: s.owner }),
      200,
    ).unit.online as boolean;
  let edits = 0;
  /** An admin edit (on loopback) that reaches the phone, the dashboard and the unit. */
  const edit = async () => {
    edits++;
    expectStatus(
      await t.request('PATCH', `/v1/doors/${s.door.id}`, {
        token: s.owner,
        body: { name: `Front ${edits}`, pulseMs: 200 + edits },
      }),
      200,
    );
  };
  /** The unit applied exactly the changes for it after `from`, in order. */
  const unitCaughtUp = async (from: string) => {
    const expected = await cursorsAfter(t, [unitAudience(s.unit.id)], from);
    const applied = unitApplied(unit.output);
    const since = applied.slice(
      applied.findIndex((a) => a.endsWith(` ${from}`)) + 1,
    );
    return { since, expected: expected.map((c) => `change ${c}`) };
  };
  const allCaughtUp = async (from: {
    phone: string;
    dash: string;
    unit: string;
  }) => {
    for (const [r, f] of [
      [phone, from.phone],
      [dashboard, from.dash],
    ] as const) {
      const c = await changesSince(t, r, f);
      if (c.applied.length < c.expected.length || r.client.status !== 'live')
        return false;
      expect(c.applied).toEqual(c.expected);
    }
    const u = await unitCaughtUp(from.unit);
    if (u.since.length < u.expected.length) return false;
    expect(u.since).toEqual(u.expected);
    return true;
  };
  const marks = () => ({
    phone: last(phone),
    dash: last(dashboard),
    unit: lastOf(unit.output),
  });

  beforeAll(async () => {
    t = await TestServer.start({
      env: { KEYWAY_SYNC_HEARTBEAT_MS: String(INTERVAL) },
    });
    s = await buildSpace(t);
    await memberOf(t, s);
    member = await t.login(PHONES.member);
    edits = 0;
    web = await NetProxy.start({ port: Number(new URL(t.url).port) });
    mqtt = await NetProxy.start({
      port: Number(new URL(s.credentials.mqttUrl).port),
    });
    for (const p of [web, mqtt]) p.setRoundTrip(300, 100);
    syncUrl = `${web.url(t.url.replace(/^http/, 'ws'))}/v1/sync`;
    phone = await recordedClient(t, syncUrl, member);
    dashboard = await recordedClient(t, syncUrl, s.owner);
    unit = UnitProcess.spawn(
      { ...s.credentials, mqttUrl: mqtt.url(s.credentials.mqttUrl) },
      ['--keepalive-sec', String(KEEPALIVE_S)],
    );
    await waitFor(
      () =>
        phone.client.status === 'live' &&
        dashboard.client.status === 'live' &&
        unitApplied(unit.output).length > 0,
      'phone, dashboard and unit synced through the proxy',
    );
    await waitFor(unitOnline, 'unit online');
  });
  afterAll(async () => {
    phone?.client.stop();
    dashboard?.client.stop();
    await unit?.kill();
    await web?.stop();
    await mqtt?.stop();
    await t?.stop();
  });

  it('at 300 ms ± 100 ms round trip: five heartbeat intervals with no close, every change in order, and an open', async () => {
    const from = marks();
    const statusesFrom = [phone.statuses.length, dashboard.statuses.length];
    const accepted = [web.accepted, mqtt.accepted];
    for (let i = 0; i < 10; i++) {
      await edit();
      await sleep(INTERVAL / 2);
    }
    await waitFor(() => allCaughtUp(from), 'every change everywhere');
    expect(phone.statuses.slice(statusesFrom[0])).toEqual([]);
    expect(dashboard.statuses.slice(statusesFrom[1])).toEqual([]);
    expect([web.accepted, mqtt.accepted]).toEqual(accepted);
    expect(web.serverCloses + mqtt.serverCloses).toBe(0);
    expect(unit.output).not.toMatch(/disconnected/);

    const pulses = unitPulses(unit.output).length;
    const open = await viaProxy(
      web.url(t.url),
      'POST',
      `/v1/doors/${s.door.id}/open`,
      { token: member },
    );
    expect(open.status).toBe(200);
    expect(open.body.result).toBe('opened');
    await waitFor(
      () => unitPulses(unit.output).length > pulses,
      'the pulse logged',
    );
    expect(unitPulses(unit.output).length).toBe(pulses + 1);
  });

  it('a phone and a dashboard stalled for 3 intervals are closed by the server and resume with nothing lost or twice', async () => {
    const from = marks();
    const closes = web.serverCloses;
    const statusesFrom = phone.statuses.length;
    web.set({ stall: true });
    await edit();
    await edit();
    await sleep(3 * INTERVAL);
    // Both sockets were closed by the server, which heard nothing for two intervals...
    expect(web.serverCloses - closes).toBeGreaterThanOrEqual(2);
    // ...and the client noticed the silence too, without any close reaching it.
    expect(phone.statuses.slice(statusesFrom)).toContain('offline');
    web.set({ stall: false });
    await waitFor(() => allCaughtUp(from), 'resumed after the stall');
    const afterStall = (r: Recorded, f: string) =>
      r.applied.slice(r.applied.findIndex((a) => a.cursor === f) + 1);
    for (const [r, f] of [
      [phone, from.phone],
      [dashboard, from.dash],
    ] as const) {
      // Resumed, not re-snapshotted: the two edits (and the door's sensor reports) as changes.
      const kinds = afterStall(r, f).map((a) => a.kind);
      expect(kinds.length).toBeGreaterThanOrEqual(2);
      expect(new Set(kinds)).toEqual(new Set(['change']));
    }
  });

  it('a unit stalled for 3 keep-alives is dropped by the broker and resumes with nothing lost or twice', async () => {
    const from = marks();
    const closes = mqtt.serverCloses;
    mqtt.set({ stall: true });
    await edit();
    await edit();
    await sleep(3 * KEEPALIVE_S * 1000);
    expect(mqtt.serverCloses).toBeGreaterThan(closes);
    expect(await unitOnline()).toBe(false);
    mqtt.set({ stall: false });
    await waitFor(() => allCaughtUp(from), 'unit resumed after the stall');
    expect((await unitCaughtUp(from.unit)).since).toHaveLength(2);
    await waitFor(unitOnline, 'unit online again');
  });

  it('at 600 ms round trip: the SMS login, reconnects by cursor, the unit backoff and opens all hold', async () => {
    for (const p of [web, mqtt]) p.setRoundTrip(600);
    const base = web.url(t.url);
    expectStatus(
      await viaProxy(base, 'POST', '/v1/auth/code', {
        body: { phone: PHONES.member },
      }),
      202,
    );
    const token = expectStatus(
      await viaProxy(base, 'POST', '/v1/auth/verify', {
        body: {
          phone: PHONES.member,
          code: t.lastCode(PHONES.member),
          deviceName: 'slow',
        },
      }),
      200,
    ).token as string;

    // Every link reset at once: all three come back by cursor over the slow link.
    const from = marks();
    web.reset();
    mqtt.reset();
    await edit();
    await waitFor(() => allCaughtUp(from), 'resumed after the reset');
    await waitFor(unitOnline, 'unit online again');

    for (let i = 0; i < 3; i++) {
      const pulses = unitPulses(unit.output);
      const open = await viaProxy(base, 'POST', `/v1/doors/${s.door.id}/open`, {
        token,
      });
      // Five seconds of budget for a 0.6 s link: the open completes.
      expect(open.status).toBe(200);
      expect(open.body.result).toBe('opened');
      await waitFor(
        () => unitPulses(unit.output).length > pulses.length,
        'the pulse',
      );
      await sleep(300);
      expect(unitPulses(unit.output)).toHaveLength(pulses.length + 1);
    }
  });
});

describe('an open budget shorter than a 600 ms round trip', () => {
  let t: TestServer;
  let mqtt: NetProxy;
  let web: NetProxy;
  let unit: UnitProcess;
  afterAll(async () => {
    await unit?.kill();
    await web?.stop();
    await mqtt?.stop();
    await t?.stop();
  });

  it('answers unit_timeout clearly, never hangs, and the door pulses at most once per request', async () => {
    // The server waits 250 ms past the command's expiry: 550 ms, less than the link's round trip.
    t = await TestServer.start({ env: { KEYWAY_OPEN_TIMEOUT_MS: '300' } });
    const s = await buildSpace(t);
    await memberOf(t, s);
    const member = await t.login(PHONES.member);
    mqtt = await NetProxy.start({
      port: Number(new URL(s.credentials.mqttUrl).port),
    });
    web = await NetProxy.start({ port: Number(new URL(t.url).port) });
    for (const p of [web, mqtt]) p.setRoundTrip(600);
    unit = UnitProcess.spawn({
      ...s.credentials,
      mqttUrl: mqtt.url(s.credentials.mqttUrl),
    });
    await waitFor(
      async () =>
        expectStatus(
          await t.request('GET', `/v1/units/${s.unit.id}`, { token: s.owner }),
          200,
        ).unit.online,
      'unit online',
    );
    for (let i = 0; i < 3; i++) {
      const open = await viaProxy(
        web.url(t.url),
        'POST',
        `/v1/doors/${s.door.id}/open`,
        { token: member },
      );
      expect(open.status).toBe(504);
      expect(open.body.error.code).toBe('unit_timeout');
    }
    // The late acks came and went; no command was pulsed twice (QoS 1 redelivery is deduped).
    await sleep(1000);
    const pulses = unitPulses(unit.output);
    expect(pulses.length).toBeLessThanOrEqual(3);
    expect(new Set(pulses).size).toBe(pulses.length);
  });
});
