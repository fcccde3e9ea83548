import {
  Fleet,
  type FleetOptions,
  type FleetTarget,
} from '../../apps/server/src/test/storm-fleet';
import { serve } from '../sync/worker';

/**
 * Storm load generator: one share of the fleet (real SyncClients, real unit agents; see
 * apps/server/src/test/storm-fleet.ts), driven by bench/storm/run.ts over IPC.
 */
let fleet: Fleet | undefined;

serve({
  start(opts: FleetOptions) {
    fleet = new Fleet(opts);
    fleet.start();
  },
  expect(target: FleetTarget) {
    fleet?.expect(target);
  },
  status() {
    if (!fleet) throw new Error('not started');
    return fleet.status();
  },
  async stop() {
    await fleet?.stop();
  },
});
