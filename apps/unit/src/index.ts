/** What other packages (the server's end-to-end tests) may use to run a unit in-process. */
export {
  AGENT_VERSION,
  type Agent,
  type AgentOptions,
  createAgent,
} from './agent';
export { type ConfigResult, parseConfig, type UnitConfig } from './config';
export { createDriver } from './drivers';
export type { Driver, SensorListener } from './drivers/driver';
export { createSimDriver, type SimDriver } from './drivers/sim';
export { createLogger } from './log';
export {
  decideOffline,
  type OfflineDecision,
  type OfflineRequest,
} from './offline';
export {
  findAccessEntry,
  readUnitConfig,
  type UnitAccessEntry,
  type UnitConfigEntry,
  type UnitView,
} from './view';
