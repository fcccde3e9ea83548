import type { Door, DoorState } from '@keyway/protocol';
import type { DoorsTable } from '../db/schema';

export function presentDoor(row: DoorsTable): Door {
  return {
    id: row.id,
    spaceId: row.space_id,
    unitId: row.unit_id,
    name: row.name,
    relay: row.relay,
    pulseMs: row.pulse_ms,
    sensor: row.sensor === 1,
    state: row.state as DoorState,
    stateSince: row.state_since,
    createdAt: row.created_at,
  };
}
