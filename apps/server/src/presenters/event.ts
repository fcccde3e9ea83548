import type { AccessEvent, EventType } from '@keyway/protocol';
import type { EventsTable } from '../db/schema';

export function presentEvent(row: Omit<EventsTable, 'seq'>): AccessEvent {
  return {
    id: row.id,
    spaceId: row.space_id,
    at: row.at,
    type: row.type as EventType,
    doorId: row.door_id,
    unitId: row.unit_id,
    userId: row.user_id,
    memberId: row.member_id,
    result: row.result,
    reason: row.reason,
    data: row.data ? (JSON.parse(row.data) as Record<string, unknown>) : null,
  };
}
