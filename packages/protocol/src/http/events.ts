import { z } from 'zod';
import { Id, IsoTime, LatLon, PageCursor } from '../common';
import { DENIAL_REASONS } from '../errors';

export const EventType = z.enum([
  'door.open',
  'door.state',
  'unit.online',
  'unit.offline',
  'admin.change',
]);
export type EventType = z.infer<typeof EventType>;

/** What the unit's ack said when it did not open (issue 25 item 4): result and reason alike. */
export const UNIT_REFUSALS = [
  'unit_failed',
  'command_expired',
  'command_duplicate',
  'unit_rejected_command',
  'unit_protocol_error',
] as const;
export const OpenResult = z.enum([
  'granted',
  'denied',
  'unit_offline',
  'unit_timeout',
  ...UNIT_REFUSALS,
]);

export const AccessEvent = z
  .object({
    id: Id,
    spaceId: Id,
    at: IsoTime,
    type: EventType,
    doorId: Id.nullable(),
    unitId: Id.nullable(),
    /** The member or admin who acted (opened, or changed something). */
    userId: Id.nullable(),
    memberId: Id.nullable(),
    /** door.open: granted | denied | unit_offline | unit_timeout | one of UNIT_REFUSALS. */
    result: z.string().nullable(),
    /** door.open refusals: one of the denial reasons; door.state: the new state. */
    reason: z.string().nullable(),
    data: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({
    examples: [
      {
        id: 'ev_9q2w7e4r1t6y',
        spaceId: 'sp_4k9x0m2p7q1r',
        at: '2027-01-05T12:00:00.412+01:00',
        type: 'door.open',
        doorId: 'door_4k9x0m2p7q1r',
        unitId: 'unit_8mj2kq9xr4ab5tc1',
        userId: 'usr_3h8j1k5l0z2x',
        memberId: 'mem_6c4v9b2n7m1a',
        result: 'granted',
        reason: null,
        data: null,
      },
    ],
  });
export type AccessEvent = z.infer<typeof AccessEvent>;

export const EventsQuery = z.object({
  doorId: Id.optional(),
  memberId: Id.optional(),
  type: EventType.optional(),
  from: IsoTime.optional(),
  to: IsoTime.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: PageCursor.optional(),
});
export const EventsResponse = z.object({
  events: z.array(AccessEvent),
  nextCursor: z.string().nullable(),
});

export const OpenDoorBody = z
  .object({
    location: LatLon.extend({
      accuracyMeters: z.number().min(0).max(100_000).optional(),
    }).nullish(),
  })
  .default({})
  .meta({
    examples: [
      { location: { lat: 40.4168, lon: -3.7038, accuracyMeters: 12 } },
    ],
  });
export const OpenDoorResponse = z.object({
  result: z.literal('opened'),
  event: AccessEvent,
});
export const DenialReasonSchema = z.enum(DENIAL_REASONS);
