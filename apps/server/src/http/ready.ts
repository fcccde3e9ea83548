import { sql } from 'kysely';
import type { AppContext } from '../context';

/** `ok`, or `down: <reason>` (API.md). */
type Check = 'ok' | `down: ${string}`;

/**
 * `GET /readyz`: whether this node can serve (issue 26). The database and the broker link are
 * required (503 naming what is down). The cluster bus is reported but does not fail readiness:
 * without NATS a node still serves every change, later (docs/cluster.md), and a load balancer
 * that took every node out during a NATS outage would turn slower pushes into no service.
 * Nothing secret is in the answer: reasons are error messages of the driver, without URLs.
 */
export async function readiness(
  ctx: Pick<
    AppContext,
    'db' | 'units' | 'bus' | 'sync' | 'draining' | 'isolated'
  >,
  timeoutMs = 2000,
): Promise<{ status: 200 | 503; body: Record<string, unknown> }> {
  const database = await probe(
    () => sql`SELECT 1`.execute(ctx.db).then(() => undefined),
    timeoutMs,
  );
  const broker: Check = ctx.units.connected
    ? 'ok'
    : 'down: not connected to the MQTT broker';
  const bus: Check | 'none' =
    ctx.bus.connected === undefined
      ? 'none'
      : ctx.bus.connected
        ? 'ok'
        : 'down: not connected to NATS';
  const down = [
    ...(ctx.draining ? ['shutting_down'] : []),
    ...(ctx.isolated ? ['isolated'] : []),
    ...(database !== 'ok' ? ['database'] : []),
    ...(broker !== 'ok' ? ['broker'] : []),
  ];
  const ok = down.length === 0;
  return {
    status: ok ? 200 : 503,
    body: {
      ok,
      /** Same as `ok` (the name the cluster tests and older probes read). */
      ready: ok,
      down,
      degraded: bus.startsWith('down') ? ['bus'] : [],
      /** Whether this node does the once-only work now (sync/leader.ts). */
      leader: ctx.sync?.leading ?? false,
      checks: { database, broker, bus },
    },
  };
}

async function probe(
  fn: () => Promise<void>,
  timeoutMs: number,
): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Check>((resolve) => {
    timer = setTimeout(
      () => resolve(`down: no answer within ${timeoutMs} ms`),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([fn().then((): Check => 'ok'), timeout]);
  } catch (err) {
    const reason = ((err as Error).message || 'error')
      .replace(/[a-z]+:\/\/\S+/gi, '<url>')
      .slice(0, 200);
    return `down: ${reason}`;
  } finally {
    clearTimeout(timer);
  }
}
