/**
 * A broken unit for the kit's negative test: the reference agent with a clock that runs 60 s
 * late, the fault §5.1 warns about. It honours commands that have expired (and pulses).
 * Settings as the reference unit's (KEYWAY_UNIT_* variables).
 */
import { createAgent } from '../../../unit/src/agent';
import { parseConfig } from '../../../unit/src/config';
import { createDriver } from '../../../unit/src/drivers';
import { createLogger } from '../../../unit/src/log';

const result = parseConfig(process.argv.slice(2), process.env);
if (result.kind !== 'config') throw new Error('late-clock-unit: bad settings');
const { config } = result;
const log = createLogger(config.logLevel, false);
const driver = createDriver(config, log);
const agent = createAgent({
  url: config.url,
  unitId: config.username,
  password: config.password,
  driver,
  driverName: 'late-clock',
  log,
  now: () => Date.now() - 60_000,
  backoff: { minMs: config.reconnectMinMs, maxMs: config.reconnectMaxMs },
  stateFile: config.stateFile,
});
process.on('SIGTERM', () => {
  void agent.stop().then(() => process.exit(0));
});
agent.start();
