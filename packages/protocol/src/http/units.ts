import { z } from 'zod';
import { Id, IsoTime, LatLon } from '../common';

export const Unit = z
  .object({
    id: Id,
    spaceId: Id,
    name: z.string(),
    online: z.boolean(),
    lastSeenAt: IsoTime.nullable(),
    location: LatLon.nullable(),
    agent: z.string().nullable(),
    /** How many relays the unit announced in its status (unit protocol §4.1); null until it has. */
    relays: z.number().int().nullable(),
    createdAt: IsoTime,
  })
  .meta({
    examples: [
      {
        id: 'unit_8mj2kq9xr4ab5tc1',
        spaceId: 'sp_4k9x0m2p7q1r',
        name: 'Gate unit',
        online: true,
        lastSeenAt: '2027-01-05T11:58:02.120+01:00',
        location: { lat: 41.3874, lon: 2.1686 },
        agent: 'keyway-unit/0.1.0',
        relays: 4,
        createdAt: '2026-12-01T09:30:00.000+01:00',
      },
    ],
  });
export type Unit = z.infer<typeof Unit>;

export const CreateUnitBody = z
  .object({
    name: z.string().trim().min(1).max(100),
  })
  .meta({ examples: [{ name: 'Portal' }] });
export const UpdateUnitBody = z
  .object({ name: z.string().trim().min(1).max(100) })
  .partial()
  .meta({ examples: [{ name: 'Garage unit' }] });
export const UnitCredentials = z.object({
  username: z.string(),
  password: z.string(),
  mqttUrl: z.string(),
});
export const CreateUnitResponse = z.object({
  unit: Unit,
  credentials: UnitCredentials,
});
export const UnitResponse = z.object({ unit: Unit });
export const UnitsResponse = z.object({ units: z.array(Unit) });
