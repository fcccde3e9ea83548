import { z } from 'zod';
import {
  GeofenceMeters,
  Id,
  IsoTime,
  LatLon,
  Phone,
  PhoneInput,
  TimeZone,
} from '../common';

export const AdminRole = z.enum(['owner', 'admin', 'viewer']);
export type AdminRole = z.infer<typeof AdminRole>;

export const Space = z
  .object({
    id: Id,
    name: z.string(),
    timezone: z.string(),
    location: LatLon.nullable(),
    geofenceMeters: z.number().int().nullable(),
    lockdown: z.boolean(),
    createdAt: IsoTime,
    /** The caller's relation to the space: an admin role, or "member". */
    role: z.enum(['owner', 'admin', 'viewer', 'member']),
  })
  .meta({
    examples: [
      {
        id: 'sp_4k9x0m2p7q1r',
        name: 'HQ',
        timezone: 'Europe/Madrid',
        location: { lat: 41.3874, lon: 2.1686 },
        geofenceMeters: 150,
        lockdown: false,
        createdAt: '2026-12-01T09:30:00.000+01:00',
        role: 'owner',
      },
    ],
  });
export type Space = z.infer<typeof Space>;

export const CreateSpaceBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    timezone: TimeZone,
    location: LatLon.nullish(),
    geofenceMeters: GeofenceMeters.nullish(),
  })
  .meta({
    examples: [
      {
        name: 'Calle Mayor 5',
        timezone: 'Europe/Madrid',
        location: { lat: 40.4168, lon: -3.7038 },
        geofenceMeters: 200,
      },
    ],
  });
export const UpdateSpaceBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    timezone: TimeZone,
    location: LatLon.nullable(),
    geofenceMeters: GeofenceMeters.nullable(),
    /** Lockdown refuses every member's open (door_locked_down) until lifted. */
    lockdown: z.boolean(),
  })
  .partial()
  .meta({ examples: [{ lockdown: true }] });
export const SpaceResponse = z.object({ space: Space });
export const SpacesResponse = z.object({ spaces: z.array(Space) });

export const SpaceAdmin = z.object({
  userId: Id,
  phone: Phone,
  name: z.string().nullable(),
  role: AdminRole,
  createdAt: IsoTime,
});
export const AddAdminBody = z
  .object({ phone: PhoneInput, role: AdminRole })
  .meta({ examples: [{ phone: '+34600000002', role: 'admin' }] });
export const AdminResponse = z.object({ admin: SpaceAdmin });
export const AdminsResponse = z.object({ admins: z.array(SpaceAdmin) });
export const UpdateAdminBody = z
  .object({ role: AdminRole })
  .meta({ examples: [{ role: 'viewer' }] });
