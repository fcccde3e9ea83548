import type { Space } from '@keyway/protocol';
import type { SpacesTable } from '../db/schema';
import type { SpaceRole } from '../policy/space';

export function presentSpace(row: SpacesTable, role: SpaceRole): Space {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    location:
      row.lat !== null && row.lon !== null
        ? { lat: row.lat, lon: row.lon }
        : null,
    geofenceMeters: row.geofence_meters,
    lockdown: row.lockdown === 1,
    createdAt: row.created_at,
    role,
  };
}
