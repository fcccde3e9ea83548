import type { Logger } from 'pino';
import type { Driver, DriverName } from './driver';
import { createSimDriver } from './sim';

export interface DriverConfig {
  driver: DriverName;
  relays: number;
  simCloseMs: number;
}

/** The one place that maps a `--driver` name to an implementation. */
export function createDriver(config: DriverConfig, log: Logger): Driver {
  switch (config.driver) {
    case 'sim':
      return createSimDriver({
        relays: config.relays,
        closeAfterMs: config.simCloseMs,
        log,
      });
  }
}
