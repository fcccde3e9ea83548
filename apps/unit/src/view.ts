import {
  UnitAccessEntry as AccessEntrySchema,
  UnitConfigEntry as ConfigEntrySchema,
  parseViewKey,
  UnitSpaceEntry as SpaceEntrySchema,
  viewKey,
} from '@keyway/protocol';
import type { z } from 'zod';

/** The unit's configuration: its own `unit.config` entry with its space's `unit.space` entry. */
export type UnitConfigEntry = z.infer<typeof ConfigEntrySchema> &
  z.infer<typeof SpaceEntrySchema>;
export type UnitAccessEntry = z.infer<typeof AccessEntrySchema>;
/** What the unit keeps of its sync view: `{spaceId}/{kind}/{id}` → value. */
export type UnitView = ReadonlyMap<string, unknown>;

/**
 * This unit's configuration: its `unit.config` entry (its doors) with its space's `unit.space`
 * entry (time zone, lockdown), or null when the view lacks either (nothing synced yet) or one
 * is not valid. A unit's view holds one of each.
 */
export function readUnitConfig(
  view: UnitView,
  unitId?: string,
): UnitConfigEntry | null {
  for (const [key, value] of view) {
    const k = parseViewKey(key);
    if (k?.kind !== 'unit.config' || (unitId !== undefined && k.id !== unitId))
      continue;
    const parsed = ConfigEntrySchema.safeParse(value);
    if (!parsed.success || parsed.data.spaceId !== k.spaceId) continue;
    const space = SpaceEntrySchema.safeParse(
      view.get(viewKey(k.spaceId, 'unit.space', k.spaceId)),
    );
    if (space.success && space.data.spaceId === k.spaceId)
      return { ...parsed.data, ...space.data };
  }
  return null;
}

/** The `unit.access` entry of user `userId` in space `spaceId`; null if none is valid. */
export function findAccessEntry(
  view: UnitView,
  spaceId: string,
  userId: string,
): UnitAccessEntry | null {
  for (const [key, value] of view) {
    const k = parseViewKey(key);
    if (k?.kind !== 'unit.access' || k.spaceId !== spaceId) continue;
    const parsed = AccessEntrySchema.safeParse(value);
    if (
      parsed.success &&
      parsed.data.userId === userId &&
      parsed.data.memberId === k.id
    )
      return parsed.data;
  }
  return null;
}

/** False only when a configuration is known and maps no door to `relay`. */
export function hasDoorOn(
  config: UnitConfigEntry | null,
  relay: number,
): boolean {
  return config === null || config.doors.some((d) => d.relay === relay);
}

/** One line for the log: what the config says each relay drives. */
export function describeConfig(config: UnitConfigEntry | null): string {
  if (!config) return 'no configuration';
  const doors = config.doors.map(
    (d) =>
      `relay ${d.relay} → door ${d.doorId} (${d.pulseMs} ms${d.sensor ? ', sensor' : ''})`,
  );
  const lockdown = config.lockdown ? ', LOCKDOWN' : '';
  return `${config.timezone}${lockdown}; ${doors.length > 0 ? doors.join(', ') : 'no doors'}`;
}
