import type { Group } from '@keyway/protocol';
import type { GroupsTable } from '../db/schema';

export const presentGroup = (r: GroupsTable, doorIds: string[]): Group => ({
  id: r.id,
  spaceId: r.space_id,
  name: r.name,
  doorIds,
  geofenceMeters: r.geofence_meters,
  createdAt: r.created_at,
});
