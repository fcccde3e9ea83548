import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpace, PHONES } from './test/fixtures';
import { expectStatus, TestServer } from './test/harness';
import { UnitProcess, waitFor } from './test/unit-process';
import { startTracing } from './tracing';

interface OtlpSpan {
  name: string;
  traceId: string;
  parentSpanId?: string;
  spanId: string;
  status?: { code?: number };
  attributes: { key: string; value: Record<string, unknown> }[];
}

/** A stand-in OTLP/HTTP collector: it keeps every span it is sent (JSON encoding). */
async function collector() {
  const spans: OtlpSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const rs of body.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { spans, url: `http://127.0.0.1:${port}`, server };
}

const attr = (s: OtlpSpan, key: string) =>
  Object.values(s.attributes.find((a) => a.key === key)?.value ?? {})[0];

describe('OpenTelemetry spans on the open path (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  let c: Awaited<ReturnType<typeof collector>>;
  let stopTracing: (() => Promise<void>) | undefined;
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;
  let unit: UnitProcess;

  beforeAll(async () => {
    c = await collector();
    expect(startTracing({})).toBeUndefined();
    stopTracing = startTracing({
      OTEL_EXPORTER_OTLP_ENDPOINT: c.url,
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    t = await TestServer.start();
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
    await stopTracing?.();
    c?.server.close();
  });

  it('an open is a door.open span with its unit.command child; a refusal carries its code', async () => {
    const token = await t.login(PHONES.member);
    expectStatus(
      await t.request('POST', `/v1/spaces/${s.space.id}/members`, {
        token: s.owner,
        body: { phone: PHONES.member, groupIds: [s.group.id] },
      }),
      201,
    );
    expectStatus(
      await t.request('POST', `/v1/doors/${s.door.id}/open`, { token }),
      200,
    );
    const stranger = await t.login(PHONES.stranger);
    expect(
      (
        await t.request('POST', `/v1/doors/${s.door.id}/open`, {
          token: stranger,
        })
      ).status,
    ).toBe(404);
    await waitFor(
      () => c.spans.filter((x) => x.name === 'door.open').length >= 2,
      'both door.open spans exported',
    );
    const [granted, refused] = c.spans.filter((x) => x.name === 'door.open');
    expect(attr(granted!, 'keyway.door_id')).toBe(s.door.id);
    expect(attr(granted!, 'keyway.result')).toBe('granted');
    const command = c.spans.find((x) => x.name === 'unit.command');
    expect(command?.traceId).toBe(granted!.traceId);
    expect(command?.parentSpanId).toBe(granted!.spanId);
    expect(attr(command!, 'keyway.ack')).toBe('opened');
    expect(attr(refused!, 'keyway.error')).toBe('not_found');
    expect(refused!.status?.code).toBe(2); // ERROR
  });
});
