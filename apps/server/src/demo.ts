import { join } from 'node:path';
import { createDoor } from './commands/doors';
import { createGroup } from './commands/groups';
import { createMember } from './commands/members';
import { createSpace } from './commands/spaces';
import { createUnit, resetUnitCredentials } from './commands/units';
import { ensureUser } from './commands/users';
import { ConfigError, loadConfig } from './config';
import type { AppContext } from './context';
import { DEMO, startUnit } from './demo-data';
import { startServer } from './server';

/**
 * `npm start`: the whole system on one machine — server, SQLite in ./data/demo (its own folder, so
 * `npm run serve`'s ./data stays without demo data), the embedded broker, one simulated unit with
 * two doors, and a demo space. SMS codes are printed here. KEYWAY_DATA_DIR moves all of it.
 */
async function seed(ctx: AppContext) {
  const admin = await ensureUser(
    ctx.db,
    DEMO.admin.phone,
    ctx.clock.now(),
    DEMO.admin.name,
  );
  const existing = await ctx.db
    .selectFrom('spaces as s')
    .innerJoin('space_admins as a', 'a.space_id', 's.id')
    .select('s.id')
    .where('s.name', '=', DEMO.space)
    .where('a.user_id', '=', admin.id)
    .executeTakeFirst();
  if (existing) {
    const unit = await ctx.db
      .selectFrom('units')
      .select('id')
      .where('space_id', '=', existing.id)
      .executeTakeFirstOrThrow();
    // The password is only ever shown once: the demo issues a new one for its own unit at each start.
    const credentials = await resetUnitCredentials(
      ctx,
      admin.id,
      existing.id,
      unit.id,
    );
    return { spaceId: existing.id, credentials };
  }
  const space = await createSpace(ctx, admin.id, {
    name: DEMO.space,
    timezone: 'Europe/Madrid',
    location: { lat: 41.3874, lon: 2.1686 },
  });
  const { row: unit, credentials } = await createUnit(
    ctx,
    admin.id,
    space.id,
    'Entrance unit',
  );
  const { row: street } = await createDoor(ctx, admin.id, space.id, {
    name: 'Street door',
    unitId: unit.id,
    relay: 1,
    pulseMs: 500,
    sensor: true,
  });
  const { row: garage } = await createDoor(ctx, admin.id, space.id, {
    name: 'Garage gate',
    unitId: unit.id,
    relay: 2,
    pulseMs: 1000,
    sensor: true,
  });
  const group = await createGroup(ctx, admin.id, space.id, {
    name: 'Residents',
    doorIds: [street.id, garage.id],
  });
  await createMember(ctx, admin.id, space.id, DEMO.basic.phone, {
    phone: DEMO.basic.phone,
    name: DEMO.basic.name,
    groupIds: [group.id],
  });
  await createMember(ctx, admin.id, space.id, DEMO.evening.phone, {
    phone: DEMO.evening.phone,
    name: DEMO.evening.name,
    groupIds: [group.id],
    access: {
      timeFrames: [
        {
          days: ['mon', 'tue', 'wed', 'thu', 'fri'],
          from: '18:00',
          to: '22:00',
        },
        { days: ['sat', 'sun'], from: '10:00', to: '14:00' },
      ],
    },
  });
  return { spaceId: space.id, credentials };
}

function banner(url: string, mqttUrl: string, spaceId: string): string {
  const doors = `curl -s ${url}/v1/spaces/${spaceId}/doors -H "Authorization: Bearer $TOKEN"`;
  return `
  Keyway demo is running.
    Phone app  ${url}/app/      (log in with a phone number below; codes appear here)
    Dashboard  ${url}/admin/    (log in as the admin)
    API        ${url}    (OpenAPI: ${url}/openapi.json, reference: ${url}/docs)
    MQTT       ${mqttUrl}    (one simulated unit, two doors)
    Space      ${DEMO.space} (Europe/Madrid), id ${spaceId}
    Phones     admin ${DEMO.admin.phone} · member 24/7 ${DEMO.basic.phone} · member evenings ${DEMO.evening.phone}

  Try it (SMS codes are printed in this console):
    curl -s -X POST ${url}/v1/auth/code -H 'content-type: application/json' -d '{"phone":"${DEMO.basic.phone}"}'
    curl -s -X POST ${url}/v1/auth/verify -H 'content-type: application/json' -d '{"phone":"${DEMO.basic.phone}","code":"<code>"}'
    export TOKEN=<token from the answer>
    ${doors}
    curl -s -X POST ${url}/v1/doors/<doorId>/open -H "Authorization: Bearer $TOKEN"
`;
}

/** A port taken by another program, in one line that says which setting chooses another. */
function portTaken(err: unknown): string | undefined {
  const e = err as { code?: unknown; port?: unknown; address?: unknown };
  if (e?.code !== 'EADDRINUSE') return undefined;
  const port = Number(e.port);
  const env =
    port === Number(process.env.KEYWAY_MQTT_PORT ?? 8483)
      ? 'KEYWAY_MQTT_PORT'
      : 'KEYWAY_PORT';
  return `keyway: port ${e.port} on ${e.address} is taken: stop what uses it, or choose another, e.g. ${env}=${port + 10} npm start\n`;
}

try {
  const dataDir =
    process.env.KEYWAY_DATA_DIR || join(process.cwd(), 'data', 'demo');
  const config = loadConfig({
    KEYWAY_LOG_PRETTY: 'true',
    KEYWAY_SMS_OUTBOX: join(dataDir, 'sms-outbox.jsonl'),
    ...process.env,
    KEYWAY_DATA_DIR: dataDir,
  });
  const server = await startServer(config);
  const { spaceId, credentials } = await seed(server.ctx);
  const online = new Promise<void>((resolve) => {
    const off = server.ctx.events.subscribe((e) => {
      if (e.type === 'unit.online') {
        off();
        resolve();
      }
    });
    setTimeout(resolve, 8000).unref();
  });
  const unit = startUnit(credentials, dataDir);
  await online;
  process.stdout.write(banner(server.url, server.ctx.unitMqttUrl, spaceId));
  const stop = async () => {
    unit.kill('SIGTERM');
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  const taken = portTaken(err);
  if (taken) {
    process.stderr.write(taken);
    process.exit(1);
  }
  throw err;
}
