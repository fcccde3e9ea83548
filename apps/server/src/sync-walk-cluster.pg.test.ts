import { afterAll, describe, expect, it } from 'vitest';
import { ServerProcess } from './test/server-process';
import { runWalk } from './test/sync-walk';

/**
 * Issue 17: the convergence walk of sync.property.test.ts — random admin edits, opens,
 * reconnects with every kind of cursor, each message checked for isolation (only what that user
 * may see) and gaps, every phone converging to its fresh snapshot at each checkpoint — against a
 * 3-node cluster (PostgreSQL, NATS of its own): requests and sockets take the nodes in turn, so
 * a write on one node reaches phones on the others, and fresh snapshots come from any node; one
 * node at a time is SIGKILLed (or SIGTERMed) and started again while the others serve.
 *
 * Reproduce: KEYWAY_SYNC_WALK=<walk seed printed in the failure>; longer: KEYWAY_SYNC_STEPS.
 */
const env = process.env;
const STEPS = Number(env.KEYWAY_SYNC_STEPS ?? 240);
const SEED =
  env.KEYWAY_SYNC_WALK === undefined
    ? Date.now() % 2 ** 31
    : Number(env.KEYWAY_SYNC_WALK);

describe('push sync on a 3-node cluster: convergence and isolation with node kills', () => {
  afterAll(async () => {
    await ServerProcess.killAll();
  });

  it('every phone, on whichever node, sees only its own and converges to a fresh snapshot from any node', async () => {
    console.log(
      `cluster walk seed ${SEED} (KEYWAY_SYNC_WALK=${SEED} to replay)`,
    );
    const { report, describe } = await runWalk({
      seed: SEED,
      steps: STEPS,
      backend: 'cluster',
      nodes: 3,
      restartEvery: 60,
      killShare: 0.75,
      checkpointEvery: 60,
      strictOwnEvents: true,
    });
    if (report.violations.length) throw new Error(describe());
    console.log(`cluster walk: ${JSON.stringify(report.stats)}`);
    expect(report.steps).toBe(STEPS);
    expect(report.stats['restart kill']).toBeGreaterThanOrEqual(1);
    expect(report.stats['msg change']).toBeGreaterThan(0);
  }, 600_000);
});
