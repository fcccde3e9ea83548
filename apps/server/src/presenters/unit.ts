import type { Unit } from '@keyway/protocol';
import type { UnitsTable } from '../db/schema';

export function presentUnit(row: UnitsTable): Unit {
  return {
    id: row.id,
    spaceId: row.space_id,
    name: row.name,
    online: row.online === 1,
    lastSeenAt: row.last_seen_at,
    location:
      row.lat !== null && row.lon !== null
        ? { lat: row.lat, lon: row.lon }
        : null,
    agent: row.agent,
    relays: row.relays,
    createdAt: row.created_at,
  };
}
