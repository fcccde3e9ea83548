import type {
  UnitSpaceEntry,
  UnitConfigEntry as WireConfig,
} from '@keyway/protocol';
import type { z } from 'zod';
import type { UnitAccessEntry, UnitConfigEntry } from '../view';
import { UNIT_ID } from './harness';

/** Builders for the values a unit's view holds, in space `sp_1`. */
export const SPACE_ID = 'sp_1';

export const configKey = (unitId = UNIT_ID) =>
  `${SPACE_ID}/unit.config/${unitId}`;
export const spaceKey = () => `${SPACE_ID}/unit.space/${SPACE_ID}`;
export const accessKey = (memberId: string) =>
  `${SPACE_ID}/unit.access/${memberId}`;

/** The space's entry every unit shares: time zone and lockdown. */
export function unitSpace(
  overrides: Partial<z.infer<typeof UnitSpaceEntry>> = {},
): z.infer<typeof UnitSpaceEntry> {
  return {
    spaceId: SPACE_ID,
    timezone: 'Europe/Madrid',
    lockdown: false,
    ...overrides,
  };
}

/** What the agent reads from both: `unitConfig` with `unitSpace`. */
export function fullConfig(
  overrides: Partial<UnitConfigEntry> = {},
): UnitConfigEntry {
  const { timezone, lockdown, ...config } = overrides;
  return {
    ...unitConfig(config),
    ...unitSpace({
      ...(timezone === undefined ? {} : { timezone }),
      ...(lockdown === undefined ? {} : { lockdown }),
    }),
  };
}

export function unitConfig(
  overrides: Partial<z.infer<typeof WireConfig>> = {},
): z.infer<typeof WireConfig> {
  return {
    unitId: UNIT_ID,
    spaceId: SPACE_ID,
    doors: [
      { doorId: 'door_front', relay: 1, pulseMs: 500, sensor: true },
      { doorId: 'door_garage', relay: 2, pulseMs: 1500, sensor: false },
    ],
    ...overrides,
  };
}

/** Member `m_{name}` (user `u_{name}`), 24/7 on relay 1 unless told otherwise. */
export function accessEntry(
  name: string,
  overrides: Partial<UnitAccessEntry> = {},
): UnitAccessEntry {
  return {
    memberId: `m_${name}`,
    userId: `u_${name}`,
    relays: [1],
    access: null,
    ...overrides,
  };
}

/** Evenings, every day, 18:00-22:00 in the space's zone. */
export const EVENINGS: UnitAccessEntry['access'] = {
  timeFrames: [
    {
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      from: '18:00',
      to: '22:00',
    },
  ],
};

/** A whole view: the config and the space's entry, plus these access entries. */
export function unitView(
  ...entries: UnitAccessEntry[]
): Record<string, unknown> {
  return {
    [configKey()]: unitConfig(),
    [spaceKey()]: unitSpace(),
    ...Object.fromEntries(entries.map((e) => [accessKey(e.memberId), e])),
  };
}
