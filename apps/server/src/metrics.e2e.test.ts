import { readFileSync } from 'node:fs';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpace, PHONES } from './test/fixtures';
import { expectStatus, TestServer } from './test/harness';
import { UnitProcess, waitFor } from './test/unit-process';
import { TestSocket } from './test/ws-client';

const TOKEN = 'metrics-token-0123456789abcdef';

interface Family {
  name: string;
  type: string;
  metrics: {
    value?: string;
    labels?: Record<string, string>;
    count?: string;
  }[];
}

describe('GET /metrics (Prometheus text format)', () => {
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;
  let unit: UnitProcess;

  /** Parsed by a Prometheus text-format parser (it must parse); values read from the samples. */
  const scrape = async (
    url = `${t.url}/metrics`,
    token: string | undefined = TOKEN,
  ) => {
    const res = await fetch(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(
      /^text\/plain; version=0\.0\.4/,
    );
    const text = await res.text();
    const families = parsePrometheusTextFormat(text) as Family[];
    const samples: {
      name: string;
      labels: Record<string, string>;
      value: number;
    }[] = [];
    for (const line of text.split('\n')) {
      const m = /^([a-z_:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
      if (!m) continue;
      const labels = Object.fromEntries(
        [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
      );
      samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
    }
    return { families: new Map(families.map((f) => [f.name, f])), samples };
  };
  type Scrape = Awaited<ReturnType<typeof scrape>>;
  /** The sum of the samples of `name` that carry these labels (0 when none). */
  const value = (
    m: Scrape,
    name: string,
    labels: Record<string, string> = {},
  ) =>
    m.samples
      .filter(
        (x) =>
          x.name === name &&
          Object.entries(labels).every(([k, v]) => x.labels[k] === v),
      )
      .reduce((sum, x) => sum + x.value, 0);

  beforeAll(async () => {
    t = await TestServer.start({
      env: { KEYWAY_METRICS_TOKEN: TOKEN, KEYWAY_METRICS_PORT: '0' },
    });
    s = await buildSpace(t);
    unit = UnitProcess.spawn(s.credentials);
    await waitFor(
      async () =>
        (
          await t.request('GET', `/v1/spaces/${s.space.id}/units`, {
            token: s.owner,
          })
        ).body.units[0].online === true,
      'unit online',
    );
  });
  afterAll(async () => {
    await unit?.kill();
    await t?.stop();
  });

  it('refuses the API port without the token, and says how to turn it on', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${t.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN.replace(/.$/, 'X')}` },
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as any).error.code).toBe('unauthorized');
    const off = await TestServer.start();
    try {
      const res = await fetch(`${off.url}/metrics`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as any).error.message).toMatch(
        /KEYWAY_METRICS_PORT/,
      );
    } finally {
      await off.stop();
    }
  });

  it('parses, and its counters move when a door opens, a change is pushed and a unit is online', async () => {
    const before = await scrape();
    const token = await t.login(PHONES.member);
    expectStatus(
      await t.request('POST', `/v1/spaces/${s.space.id}/members`, {
        token: s.owner,
        body: { phone: PHONES.member, groupIds: [s.group.id] },
      }),
      201,
    );
    const socket = await TestSocket.connect(t.url, token);
    const seen = socket.messages.length;
    try {
      expectStatus(
        await t.request('POST', `/v1/doors/${s.door.id}/open`, { token }),
        200,
      );
      const refused = await t.request('POST', `/v1/doors/${s.door.id}/open`, {
        token: await t.login(PHONES.stranger),
      });
      expect(refused.status).toBe(404);
      // A rename the open phone sees: one more change through the hub.
      expectStatus(
        await t.request('PATCH', `/v1/doors/${s.door.id}`, {
          token: s.owner,
          body: { name: 'Front gate (new)' },
        }),
        200,
      );
      await socket.next((m) => m.type === 'change', 'the rename', seen);
      const after = await scrape();
      expect(value(after, 'keyway_opens_total', { result: 'granted' })).toBe(
        value(before, 'keyway_opens_total', { result: 'granted' }) + 1,
      );
      expect(
        value(after, 'keyway_opens_total', {
          result: 'denied',
          reason: 'no_access',
        }),
      ).toBe(1);
      expect(value(after, 'keyway_open_duration_seconds_count')).toBe(
        value(before, 'keyway_open_duration_seconds_count') + 1,
      );
      expect(
        value(after, 'keyway_push_duration_seconds_count'),
      ).toBeGreaterThan(value(before, 'keyway_push_duration_seconds_count'));
      expect(value(after, 'keyway_sync_sockets', { kind: 'websocket' })).toBe(
        1,
      );
      expect(value(after, 'keyway_sync_sockets', { kind: 'unit' })).toBe(1);
      expect(value(after, 'keyway_units_online')).toBe(1);
      // The phone came without a cursor: one snapshot more; a resume replays.
      const catchUps = (m: Scrape, how: string) =>
        value(m, 'keyway_sync_catchups_total', { kind: 'websocket', how });
      expect(catchUps(after, 'snapshot')).toBe(
        catchUps(before, 'snapshot') + 1,
      );
      expect(catchUps(after, 'replay')).toBe(catchUps(before, 'replay'));
      expect(value(after, 'keyway_changelog_cursor', { of: 'head' })).toBe(
        value(after, 'keyway_changelog_cursor', { of: 'delivered' }),
      );
      expect(value(after, 'keyway_changelog_lag')).toBe(0);
      expect(
        value(after, 'keyway_mqtt_messages_total', {
          direction: 'out',
          kind: 'commands',
        }),
      ).toBe(
        value(before, 'keyway_mqtt_messages_total', {
          direction: 'out',
          kind: 'commands',
        }) + 1,
      );
      expect(
        value(after, 'keyway_sms_total', { result: 'sent' }),
      ).toBeGreaterThan(value(before, 'keyway_sms_total', { result: 'sent' }));
      expect(
        value(after, 'keyway_db_query_duration_seconds_count', {
          outcome: 'ok',
        }),
      ).toBeGreaterThan(
        value(before, 'keyway_db_query_duration_seconds_count', {
          outcome: 'ok',
        }),
      );
      expect(after.families.has('nodejs_eventloop_lag_seconds')).toBe(true);
      expect(after.families.get('keyway_opens_total')?.type).toBe('COUNTER');
      expect(
        value(after, 'keyway_http_request_duration_seconds_count', {
          method: 'POST',
          route: '/v1/doors/:doorId/open',
          status: '200',
        }),
      ).toBe(1);
    } finally {
      socket.close();
    }
  });

  it('the Grafana dashboard (deploy/grafana/keyway.json) charts only metrics the server has', async () => {
    const dash = JSON.parse(
      readFileSync(
        new URL('../../../deploy/grafana/keyway.json', import.meta.url),
        'utf8',
      ),
    ) as { panels: { targets: { expr: string }[] }[] };
    const m = await scrape();
    const used = new Set(
      dash.panels
        .flatMap((p) => p.targets.map((x) => x.expr))
        .flatMap((e) => e.match(/\b(keyway|nodejs)_[a-z0-9_]+/g) ?? []),
    );
    expect(used.size).toBeGreaterThan(10);
    for (const name of used)
      expect(
        m.families.has(name) ||
          m.families.has(name.replace(/_(bucket|count|sum)$/, '')),
        `${name} is charted but not exposed`,
      ).toBe(true);
  });

  it('serves the same on its own port without a token', async () => {
    const url = t.server.metricsUrl;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const m = await scrape(url, undefined);
    expect(value(m, 'keyway_units_online')).toBe(1);
    expect((await fetch(url!.replace('/metrics', '/other'))).status).toBe(404);
  });
});
