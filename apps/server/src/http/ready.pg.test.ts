import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestServer } from '../test/harness';
import { PostgresProcess } from '../test/postgres-process';
import { waitFor } from '../test/unit-process';

describe('/readyz while PostgreSQL goes away and comes back (a PostgreSQL of its own)', () => {
  let pg: PostgresProcess;
  let t: TestServer;
  beforeAll(async () => {
    pg = await PostgresProcess.start();
    t = await TestServer.start({ env: { KEYWAY_DATABASE_URL: pg.url } });
  });
  afterAll(async () => {
    await t?.stop();
    await pg?.drop();
  });

  it('200 naming every check; 503 naming the database while it is stopped; 200 again after', async () => {
    const up = await t.request('GET', '/readyz');
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({
      ok: true,
      checks: { database: 'ok', broker: 'ok', bus: 'none' },
    });
    expect((await t.request('GET', '/healthz')).body).toEqual({ ok: true });

    pg.stopServer();
    const down = await t.request('GET', '/readyz');
    expect(down.status).toBe(503);
    expect(down.body.ok).toBe(false);
    expect(down.body.down).toEqual(['database']);
    expect(down.body.checks.database).toMatch(/^down: /);
    expect(down.body.checks.broker).toBe('ok');
    expect(JSON.stringify(down.body)).not.toContain('postgres://');
    // Alive all the same: the process did not crash.
    expect((await t.request('GET', '/healthz')).status).toBe(200);
    // A request that needs the database: a clear 503, not a 500.
    const write = await t.request('POST', '/v1/auth/code', {
      body: { phone: '+34600000002' },
    });
    expect(write.status).toBe(503);
    expect(write.body.error.code).toBe('database_unavailable');

    pg.startServer();
    await waitFor(
      async () => (await t.request('GET', '/readyz')).status === 200,
      'ready again',
    );
    expect((await t.request('GET', '/readyz')).body.checks.database).toBe('ok');
    // And it serves: a login code is a write.
    expect(
      (
        await t.request('POST', '/v1/auth/code', {
          body: { phone: '+34600000001' },
        })
      ).status,
    ).toBe(202);
  });
});
