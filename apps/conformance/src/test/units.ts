import { fileURLToPath } from 'node:url';
import { type KitInput, KitOptions } from '../options';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const path = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** The reference unit's flags for a quick run: 2 relays, doors that close after 300 ms. */
const QUICK =
  '--driver sim --relays 2 --sim-close-ms 300 --reconnect-min-ms 50 --reconnect-max-ms 500 --log-level warn --lat 41.3874 --lon 2.1686';

export const UNITS = {
  reference: `"${process.execPath}" --import tsx "${path('../../../unit/src/main.ts')}" ${QUICK}`,
  lateClock: `"${process.execPath}" --import tsx "${path('./late-clock-unit.ts')}" ${QUICK}`,
  eager: `"${process.execPath}" --import tsx "${path('./eager-unit.ts')}"`,
  /** Debian's python3, which sees Debian's python3-paho-mqtt (a pyenv python would not). */
  python: `KEYWAY_UNIT_SIM_CLOSE_MS=300 KEYWAY_UNIT_LAT=41.3874 KEYWAY_UNIT_LON=2.1686 /usr/bin/python3 "${path('../../../../examples/python-unit/unit.py')}"`,
};

/** Short waits: every answer of a unit on loopback comes in milliseconds. */
export const quick = (over: KitInput = {}): KitOptions =>
  KitOptions.parse({
    connectTimeoutMs: 20_000,
    timeoutMs: 2_000,
    quietMs: 400,
    ...over,
  });
