import type { ServerProcess } from '../../apps/server/src/test/server-process';
import { httpRequest } from './http';
import { summarize } from './stats';

export interface BenchSpace {
  owner: string;
  spaceId: string;
  unitId: string;
  credentials: { username: string; password: string; mqttUrl: string };
  doorIds: string[];
  /** One session per member: member i opens door i mod doors. */
  tokens: string[];
}

async function created(
  server: ServerProcess,
  path: string,
  token: string,
  body: unknown,
) {
  const res = await server.request('POST', path, { token, body });
  if (res.status !== 201)
    throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** One space, one unit with `doors` doors (relays 1..n, 50 ms pulse), `members` logged-in members. */
export async function setupSpace(
  server: ServerProcess,
  members: number,
  doors: number,
): Promise<BenchSpace> {
  const owner = await server.login('+34630000000', 'bench owner');
  const { space } = await created(server, '/v1/spaces', owner, {
    name: 'Bench',
    timezone: 'Europe/Madrid',
  });
  const unit = await created(server, `/v1/spaces/${space.id}/units`, owner, {
    name: 'Bench unit',
  });
  const doorIds: string[] = [];
  for (let relay = 1; relay <= doors; relay++) {
    const body = {
      name: `Door ${relay}`,
      unitId: unit.unit.id,
      relay,
      pulseMs: 50,
    };
    doorIds.push(
      (await created(server, `/v1/spaces/${space.id}/doors`, owner, body)).door
        .id,
    );
  }
  const { group } = await created(
    server,
    `/v1/spaces/${space.id}/groups`,
    owner,
    { name: 'All', doorIds },
  );
  const tokens: string[] = [];
  for (let i = 0; i < members; i += 10) {
    const batch = Array.from(
      { length: Math.min(10, members - i) },
      async (_, k) => {
        const phone = `+3463${String(1 + i + k).padStart(7, '0')}`;
        await created(server, `/v1/spaces/${space.id}/members`, owner, {
          phone,
          groupIds: [group.id],
        });
        return server.login(phone, `bench ${i + k}`);
      },
    );
    tokens.push(...(await Promise.all(batch)));
  }
  return {
    owner,
    spaceId: space.id,
    unitId: unit.unit.id,
    credentials: unit.credentials,
    doorIds,
    tokens,
  };
}

/** One open over HTTP (keep-alive): undefined when the unit confirmed, else a label for the error table. */
export async function openOnce(
  url: string,
  token: string,
  doorId: string,
): Promise<string | undefined> {
  const { status, text } = await httpRequest(`${url}/v1/doors/${doorId}/open`, {
    method: 'POST',
    token,
  });
  if (status === 200) return undefined;
  const code = (JSON.parse(text || '{}') as { error?: { code?: string } }).error
    ?.code;
  return `${status} ${code ?? ''}`.trim();
}

/**
 * The server's own measure of the unit leg (command published → ack heard), from the
 * `roundTripMs` the access log keeps on each granted open since `from` (newest 1000).
 */
export async function unitLeg(
  server: ServerProcess,
  b: BenchSpace,
  from: Date,
) {
  const q = `type=door.open&limit=1000&from=${encodeURIComponent(from.toISOString())}`;
  const res = await server.request(
    'GET',
    `/v1/spaces/${b.spaceId}/events?${q}`,
    { token: b.owner },
  );
  const ms = (
    res.body.events as {
      result: string;
      data: { roundTripMs?: number } | null;
    }[]
  )
    .filter(
      (e) => e.result === 'granted' && typeof e.data?.roundTripMs === 'number',
    )
    .map((e) => e.data!.roundTripMs!);
  return summarize(ms, 1);
}
