import { owner } from './gens';
import { adminRequest, type Latency, latencies } from './latency';
import {
  connect,
  FAN_WARMUP,
  type Fanout,
  fanout,
  MEMORY_WARMUP,
  median,
  type Run,
  range,
  SETTLE_MS,
  warmIdle,
} from './phases';
import { type Memory, now, perClient, sleep } from './worker';

export interface PhoneLevel {
  clients: number;
  connectMs: number;
  /** Server memory (after forced GCs) with these phones connected, and per phone above idle. */
  memory?: Memory;
  perClientKb?: number;
  perClientRssKb?: number;
  latency?: Latency;
  fan?: Fanout;
}

/** Every phone level (commit→phone, memory) and fan-out level, connecting phones as it goes up. */
export async function keywayPhones(
  run: Run,
  serverMemory: () => Promise<Memory>,
) {
  const { seeded, sizes } = run;
  const wsUrl = `${run.url.replace(/^http/, 'ws')}/v1/sync`;
  const levels = [...new Set([...sizes.phones, ...sizes.fans])].sort(
    (a, b) => a - b,
  );
  const wsArgs = (share: unknown[]) => ({
    url: wsUrl,
    clients: share,
    snapshot: true,
  });
  const token = (i: number) => ({ i, token: seeded.members[i]!.token });
  let connected = MEMORY_WARMUP;
  const idle = await warmIdle(
    run.phones,
    'phones',
    token,
    wsArgs,
    serverMemory,
  );
  const out: PhoneLevel[] = [];
  for (const n of levels) {
    const items = range(connected, n).map(token);
    const connectMs = await connect(
      run.phones,
      `phones ${connected}..${n}`,
      items,
      wsArgs,
    );
    connected = n;
    run.log(
      `keyway: ${n} phones connected (+${items.length} in ${Math.round(connectMs)} ms)`,
    );
    run.mark(`connect phones to ${n}`);
    const level: PhoneLevel = { clients: n, connectMs };
    if (sizes.phones.includes(n)) {
      await sleep(SETTLE_MS);
      level.memory = await serverMemory();
      Object.assign(level, perClient(level.memory, idle, n - MEMORY_WARMUP));
      level.latency = await latencies(
        run.phones,
        n,
        sizes.samples,
        (k, i) => ({
          marker: `"lat-${n}-${k}"`,
          url: `${run.url}/v1/members/${seeded.members[i]!.id}`,
          method: 'PATCH',
          token: seeded.owner,
          body: { name: `lat-${n}-${k}` },
        }),
        { between: () => run.commits.sample(), gc: run.serverGc },
      );
      run.log(
        `keyway: commit→phone at ${n}: ${JSON.stringify(level.latency.arrive)}`,
      );
      run.mark(`commit→phone at ${n}`);
    }
    if (sizes.fans.includes(n)) {
      const path = `/v1/groups/${seeded.groups[n]}`;
      level.fan = await fanout(
        run.phones,
        n,
        sizes.rounds,
        (r) => adminRequest(run, 'PATCH', path, { name: `fan-${n}-${r}` }),
        (r) => `"fan-${n}-${r}"`,
      );
      run.log(
        `keyway: fan-out to ${n}: ${JSON.stringify(level.fan.arrive)} last ${level.fan.last}`,
      );
      run.mark(`fan-out to ${n}`);
    }
    out.push(level);
  }
  // The setup figure behind seeding: one member created over HTTP in the full space.
  const create: number[] = [];
  for (let k = 0; k < 5; k++) {
    const body = { phone: `+3462${String(k).padStart(7, '0')}`, groupIds: [] };
    create.push(
      (
        await adminRequest(
          run,
          'POST',
          `/v1/spaces/${seeded.phoneSpaceId}/members`,
          body,
        )
      ).httpMs,
    );
  }
  await Promise.all(run.phones.map((w) => w.call('closeAll')));
  return {
    levels: out,
    idle,
    createMemberMs: median(create),
    members: seeded.members.length,
  };
}

export interface UnitLevel {
  units: number;
  connectMs: number;
  /** One door's pulseMs changed → that unit's sync message. */
  single: Latency;
  /** The space's time zone changed → every connected unit's sync message. */
  all: Fanout;
}

const ZONES = [
  'Europe/Lisbon',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Madrid',
];

/** commit→unit at each unit level; `{error}` when units cannot follow their view at all. */
export async function keywayUnits(
  run: Run,
  mqttUrl: string,
): Promise<UnitLevel[] | { error: string }> {
  const { seeded, sizes } = run;
  const unit = (i: number) => ({
    i,
    id: seeded.units[i]!.id,
    password: seeded.units[i]!.password,
  });
  // Probe: one unit must get its snapshot before thousands are tried.
  const probe = await owner(run.units, 0)
    .call(
      'connect',
      { url: mqttUrl, units: [unit(0)], timeoutMs: 15_000 },
      30_000,
    )
    .catch((err: Error) => ({ failed: 1, errors: [err.message] }));
  if (probe.failed) {
    await Promise.all(run.units.map((w) => w.call('closeAll')));
    return { error: `a unit got no snapshot after resume: ${probe.errors[0]}` };
  }
  const out: UnitLevel[] = [];
  let connected = 1;
  let seq = 0;
  let zone = 0;
  for (const n of sizes.units) {
    const t0 = now();
    await connect(
      run.units,
      `units ${connected}..${n}`,
      range(connected, n).map(unit),
      (share) => ({
        url: mqttUrl,
        units: share,
      }),
    );
    const connectMs = now() - t0;
    connected = n;
    run.log(`keyway: ${n} units connected in ${Math.round(connectMs)} ms`);
    run.mark(`connect units to ${n}`);
    await sleep(SETTLE_MS);
    const single = await latencies(
      run.units,
      n,
      sizes.samples,
      (_k, i) => {
        const pulseMs = 100 + (seq++ % 29_000);
        return {
          marker: `"pulseMs":${pulseMs},`,
          url: `${run.url}/v1/doors/${seeded.units[i]!.doorId}`,
          method: 'PATCH',
          token: seeded.owner,
          body: { pulseMs },
        };
      },
      { between: () => run.commits.sample(), gc: run.serverGc },
    );
    run.log(`keyway: commit→unit at ${n}: ${JSON.stringify(single.arrive)}`);
    run.mark(`commit→unit at ${n}`);
    const first = zone;
    zone += sizes.rounds + FAN_WARMUP;
    const tz = (r: number) => ZONES[(first + r) % ZONES.length]!;
    const all = await fanout(
      run.units,
      n,
      sizes.rounds,
      (r) =>
        adminRequest(run, 'PATCH', `/v1/spaces/${seeded.unitSpaceId}`, {
          timezone: tz(r),
        }),
      (r) => `"timezone":"${tz(r)}"`,
    );
    run.log(
      `keyway: space change to ${n} units: ${JSON.stringify(all.arrive)} last ${all.last}`,
    );
    run.mark(`space change to ${n} units`);
    out.push({ units: n, connectMs, single, all });
  }
  await Promise.all(run.units.map((w) => w.call('closeAll')));
  return out;
}

export const lastOf = (f: Fanout) => median(f.last);
export const spreadOf = (f: Fanout) =>
  median(f.last.map((l, r) => l - f.first[r]!));
