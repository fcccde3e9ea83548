import { randomBytes } from 'node:crypto';
import { DisposableBroker } from './broker';
import { CHECKS } from './checks/index';
import {
  type Check,
  type Ctx,
  fail,
  newId,
  type Outcome,
  statusOnline,
} from './context';
import type { KitOptions } from './options';
import { externalUnit, launchUnit, type UnitControl } from './unit-control';
import { Wire } from './wire';

export interface Result {
  check: Check;
  outcome: Outcome;
  ms: number;
}

export interface RunHooks {
  /** Called once the broker is up, with what to give the unit (before waiting for it). */
  onReady?: (unit: { url: string; username: string; password: string }) => void;
  onResult?: (r: Result) => void;
}

/** Runs every check against one unit; resolves with one result per rule. */
export async function runKit(
  opts: KitOptions,
  hooks: RunHooks = {},
): Promise<Result[]> {
  const broker = opts.url
    ? undefined
    : await DisposableBroker.start({
        host: opts.host,
        port: opts.port,
        username: opts.username,
        password: opts.password,
      });
  const url = opts.url ?? (broker as DisposableBroker).url;
  const credentials = broker
    ? broker.credentials
    : { username: opts.username as string, password: opts.password as string };
  const serverLogin = broker
    ? broker.server
    : {
        username: opts.serverUsername as string,
        password: opts.serverPassword as string,
      };
  const unitId = credentials.username;
  const wire = await Wire.connect(url, serverLogin, unitId);
  let unit: UnitControl | undefined;
  const results: Result[] = [];
  try {
    hooks.onReady?.({ url, ...credentials });
    const probeId = newId();
    // §7: the server sends commands as soon as it sees online. The probe goes out the instant
    // the kit hears it; a unit that announced itself before its SUBACK loses it.
    const firstOnline = wire
      .waitFor(statusOnline, opts.connectTimeoutMs)
      .then(async (h) => {
        if (h) await wire.publish('commands', { type: 'probe', id: probeId });
        return h;
      });
    unit = opts.unitCmd
      ? launchUnit(opts.unitCmd, { url, ...credentials })
      : externalUnit(opts.restartCmd);
    if (broker) {
      // §2: the first login is refused as by a server still starting; the unit must retry.
      const until = Date.now() + opts.connectTimeoutMs;
      while (broker.attempts === 0 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      broker.welcome();
    }
    const online = await firstOnline;
    const ctx: Ctx = {
      opts,
      wire,
      unitId,
      broker,
      unit,
      freshState: Boolean(opts.unitCmd),
      facts: {
        relays: null,
        connectMark: online?.seq ?? 0,
        bootRelays: null,
        pulseVisible: false,
        closeMs: 0,
        outage: null,
        pulseRelay: opts.sensors?.[0] ?? 1,
        cursor: null,
        openedId: null,
        epoch: `k${randomBytes(3).toString('hex')}`,
        probeId: online ? probeId : null,
        sent: online ? [probeId] : [],
      },
    };
    const relays = (online?.json as { relays?: unknown })?.relays;
    if (typeof relays === 'number') ctx.facts.relays = relays;
    const only = opts.only;
    for (const check of CHECKS.filter(
      (c) => !only || only.includes(c.section),
    )) {
      const started = Date.now();
      const outcome: Outcome = online
        ? await check
            .run(ctx)
            .catch((err: Error) => fail(`kit error: ${err.message}`))
        : fail(
            `the unit did not come online within ${opts.connectTimeoutMs} ms`,
          );
      if (
        check.section === '§4.4' &&
        ctx.facts.bootRelays?.[0] &&
        !opts.sensors
      )
        ctx.facts.pulseRelay = ctx.facts.bootRelays[0];
      const r = { check, outcome, ms: Date.now() - started };
      results.push(r);
      hooks.onResult?.(r);
    }
    return results;
  } finally {
    if (opts.verbose && unit) process.stderr.write(unit.output());
    await unit?.close();
    await wire.close();
    await broker?.stop();
  }
}

export const failed = (results: Result[]) =>
  results.filter((r) => r.outcome.status === 'fail');

/** One line per rule: `PASS §4.3 opened: … (detail)`. */
export function formatResult({ check, outcome, ms }: Result): string {
  const tag = { pass: 'PASS', fail: 'FAIL', 'n/a': 'N/A ' }[outcome.status];
  const detail = outcome.detail ? ` — ${outcome.detail}` : '';
  return `${tag} ${check.section.padEnd(6)} ${check.rule}${detail} (${ms} ms)`;
}
