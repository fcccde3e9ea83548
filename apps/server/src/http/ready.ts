import { sql } from 'kysely';
import type { AppContext } from '../context';

type Check = 'ok' | 'down';

/**
 * `GET /readyz`: whether this node can serve (issue 26). The database and the broker link are
 * required (503 naming what is down). The cluster bus is reported but does not fail readiness:
 * without NATS a node still serves every change, later (docs/cluster.md), and a load balancer
 * that took every node out during a NATS outage would turn slower pushes into no service.
 */
export async function readiness(
  ctx: Pick<AppContext, 'db' | 'units' | 'bus' | 'sync'>,
  timeoutMs = 2000,
): Promise<{ status: 200 | 503; body: Record<string, unknown> }> {
  const database = await probe(
    () => sql`SELECT 1`.execute(ctx.db).then(() => undefined),
    timeoutMs,
  );
  const broker: Check = ctx.units.connected ? 'ok' : 'down';
  const bus: Check | 'in-process' =
    ctx.bus.connected === undefined
      ? 'in-process'
      : ctx.bus.connected
        ? 'ok'
        : 'down';
  const down = [
    ...(database === 'down' ? ['database'] : []),
    ...(broker === 'down' ? ['broker'] : []),
  ];
  return {
    status: down.length ? 503 : 200,
    body: {
      ready: down.length === 0,
      down,
      degraded: bus === 'down' ? ['bus'] : [],
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
    timer = setTimeout(() => resolve('down'), timeoutMs);
  });
  try {
    return await Promise.race([fn().then((): Check => 'ok'), timeout]);
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
