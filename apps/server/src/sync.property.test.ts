import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ServerProcess } from './test/server-process';
import { runWalk, type WalkOptions } from './test/sync-walk';

/**
 * Issue #3, "Tests that must exist": convergence and isolation of push sync, property-based.
 * Each run is a seeded random walk (./test/sync-walk.ts) over the public API — groups, members
 * with basic or advanced access, admins of every role, spaces (lockdown included), doors, units,
 * open attempts, clock jumps — with 8 sockets for 7 users across 2 spaces that disconnect and
 * resume (with their cursor, none, a malformed or unknown one, or an older one) and servers that
 * restart on the same database. See the walk for the exact checks.
 *
 * Reproduce a failure: KEYWAY_SYNC_SEED=<fast-check seed> (whole property) or
 * KEYWAY_SYNC_WALK=<walk seed> (one walk, printed in the failure). More runs or longer walks:
 * KEYWAY_SYNC_RUNS, KEYWAY_SYNC_STEPS.
 */
const env = process.env;
const RUNS = Number(env.KEYWAY_SYNC_RUNS ?? 3);
const STEPS = Number(env.KEYWAY_SYNC_STEPS ?? 400);
const SEED = Number(env.KEYWAY_SYNC_SEED ?? Date.now() % 2 ** 31);
const ONE_WALK =
  env.KEYWAY_SYNC_WALK === undefined ? undefined : Number(env.KEYWAY_SYNC_WALK);
/** e.g. KEYWAY_SYNC_WEIGHTS='{"space.delete":0}' to leave a kind of step out (or stress one). */
const WEIGHTS = env.KEYWAY_SYNC_WEIGHTS
  ? JSON.parse(env.KEYWAY_SYNC_WEIGHTS)
  : undefined;
const STRICT_OWN_EVENTS = env.KEYWAY_SYNC_STRICT_OWN_EVENTS !== 'off';
const FUTURE_CURSORS = env.KEYWAY_SYNC_FUTURE_CURSORS === 'on';

async function walkOrThrow(opts: WalkOptions) {
  const { report, describe } = await runWalk(opts);
  if (report.violations.length) throw new Error(describe());
  return report;
}

/** fast-check draws the walk seeds (printed with the property's own seed on failure); no shrinking. */
async function property(
  name: string,
  runs: number,
  opts: Omit<WalkOptions, 'seed'>,
) {
  const totals: Record<string, number> = {};
  const walk = async (seed: number) => {
    const report = await walkOrThrow({
      ...opts,
      seed,
      weights: WEIGHTS,
      futureCursors: FUTURE_CURSORS,
    });
    for (const [k, v] of Object.entries(report.stats))
      totals[k] = (totals[k] ?? 0) + v;
    totals.steps = (totals.steps ?? 0) + report.steps;
  };
  if (ONE_WALK !== undefined) await walk(ONE_WALK);
  else {
    console.log(
      `${name}: fast-check seed ${SEED} (KEYWAY_SYNC_SEED=${SEED} to replay)`,
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), walk),
      { numRuns: runs, seed: SEED, endOnFailure: true },
    );
  }
  console.log(`${name}: ${JSON.stringify(summary(totals))}`);
  return totals;
}

const summary = (t: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(t)
      .filter(([k]) => !k.startsWith('api '))
      .sort(),
  );

describe('push sync, property-based: convergence and isolation', () => {
  afterAll(async () => {
    await ServerProcess.killAll();
  });

  it('random admin edits, clock jumps, reconnects and graceful restarts: every phone converges to its fresh snapshot, sees only its own', async () => {
    const totals = await property('in-process', RUNS, {
      backend: 'inprocess',
      steps: STEPS,
      restartEvery: 150,
      checkpointEvery: 100,
      strictOwnEvents: STRICT_OWN_EVENTS,
    });
    expect(totals.steps).toBeGreaterThanOrEqual(RUNS * STEPS);
    expect(totals['restart graceful']).toBeGreaterThanOrEqual(RUNS);
    expect(totals['msg change']).toBeGreaterThan(0);
  }, 600_000);

  it('a server child process SIGKILLed and restarted on the same database, on the real clock: the same properties', async () => {
    // A child server starts in seconds (tsx): fewer steps, a restart every ~100, most of them SIGKILL.
    const steps = Math.round(STEPS * 0.75);
    const totals = await property('child process', 1, {
      backend: 'child',
      steps,
      restartEvery: 100,
      killShare: 0.75,
      checkpointEvery: 100,
      strictOwnEvents: STRICT_OWN_EVENTS,
    });
    expect(totals.steps).toBeGreaterThanOrEqual(steps);
    expect(totals['restart kill']).toBeGreaterThanOrEqual(1);
  }, 600_000);
});
