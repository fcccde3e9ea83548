import { z } from 'zod';
import { GeofenceMeters, Id, IsoTime } from '../common';

export const Group = z
  .object({
    id: Id,
    spaceId: Id,
    name: z.string(),
    doorIds: z.array(Id),
    geofenceMeters: z.number().int().nullable(),
    createdAt: IsoTime,
  })
  .meta({
    examples: [
      {
        id: 'grp_2d7f5g8h1j3k',
        spaceId: 'sp_4k9x0m2p7q1r',
        name: 'Residents',
        doorIds: ['door_4k9x0m2p7q1r'],
        geofenceMeters: null,
        createdAt: '2026-12-01T09:30:00.000+01:00',
      },
    ],
  });
export type Group = z.infer<typeof Group>;

export const CreateGroupBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    doorIds: z.array(Id).max(500).default([]),
    geofenceMeters: GeofenceMeters.nullish(),
  })
  .meta({ examples: [{ name: 'Residents', doorIds: ['door_4k9x0m2p7q1r'] }] });
export const UpdateGroupBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    doorIds: z.array(Id).max(500),
    geofenceMeters: GeofenceMeters.nullable(),
  })
  .partial()
  .meta({
    examples: [
      {
        doorIds: ['door_4k9x0m2p7q1r', 'door_7t3v8w1y5z0a'],
        geofenceMeters: 200,
      },
    ],
  });
export const GroupResponse = z.object({ group: Group });
export const GroupsResponse = z.object({ groups: z.array(Group) });
