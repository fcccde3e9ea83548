import { z } from 'zod';
import { Id, IsoTime } from '../common';

export const DoorState = z.enum([
  'open',
  'closed',
  'held_open',
  'forced_open',
  'unknown',
]);
export type DoorState = z.infer<typeof DoorState>;

export const Door = z
  .object({
    id: Id,
    spaceId: Id,
    unitId: Id,
    name: z.string(),
    relay: z.number().int(),
    pulseMs: z.number().int(),
    sensor: z.boolean(),
    state: DoorState,
    stateSince: IsoTime.nullable(),
    createdAt: IsoTime,
  })
  .meta({
    examples: [
      {
        id: 'door_4k9x0m2p7q1r',
        spaceId: 'sp_4k9x0m2p7q1r',
        unitId: 'unit_8mj2kq9xr4ab5tc1',
        name: 'Front gate',
        relay: 1,
        pulseMs: 800,
        sensor: true,
        state: 'closed',
        stateSince: '2027-01-05T11:58:02.120+01:00',
        createdAt: '2026-12-01T09:30:00.000+01:00',
      },
    ],
  });
export type Door = z.infer<typeof Door>;

export const Relay = z.number().int().min(1).max(4);
export const PulseMs = z.number().int().min(50).max(30_000);

export const CreateDoorBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    unitId: Id,
    relay: Relay,
    pulseMs: PulseMs.optional(),
    sensor: z.boolean().optional(),
  })
  .meta({
    examples: [
      {
        name: 'Street door',
        unitId: 'unit_4k9x0m2p7q1r',
        relay: 1,
        pulseMs: 1000,
        sensor: true,
      },
    ],
  });
export const UpdateDoorBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    unitId: Id,
    relay: Relay,
    pulseMs: PulseMs,
    sensor: z.boolean(),
  })
  .partial()
  .meta({ examples: [{ name: 'Front gate', pulseMs: 800 }] });
/**
 * Said beside a created or changed door when its relay could not be checked: its unit has not
 * announced how many relays it has yet (issue 25 item 7).
 */
export const DoorWarning = z.object({
  code: z.enum(['relay_unconfirmed']),
  message: z.string(),
});
export const DoorResponse = z.object({
  door: Door,
  warnings: z.array(DoorWarning).optional(),
});
export const DoorsResponse = z.object({ doors: z.array(Door) });

export const DoorStateQuery = z.object({
  at: z.iso.datetime({ offset: true }).optional(),
});
export const DoorStateResponse = z.object({
  door: z.object({
    id: Id,
    state: z.enum(['open', 'closed', 'unknown']),
    /** Set when the sensor reported more than open: held_open or forced_open. */
    detail: z.enum(['held_open', 'forced_open']).nullable(),
    unitOnline: z.boolean(),
    /** When the sensor reported this state. */
    since: IsoTime.nullable(),
    /** When the unit's online state last changed. */
    unitSince: IsoTime.nullable(),
    at: IsoTime,
  }),
});
