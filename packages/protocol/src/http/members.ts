import { z } from 'zod';
import {
  Access,
  GeofenceMeters,
  Id,
  IsoTime,
  Phone,
  PhoneInput,
} from '../common';

export const Member = z
  .object({
    id: Id,
    spaceId: Id,
    userId: Id,
    phone: Phone,
    name: z.string().nullable(),
    groupIds: z.array(Id),
    /** null: basic mode, 24/7. */
    access: Access.nullable(),
    geofenceMeters: z.number().int().nullable(),
    createdAt: IsoTime,
  })
  .meta({
    examples: [
      {
        id: 'mem_6c4v9b2n7m1a',
        spaceId: 'sp_4k9x0m2p7q1r',
        userId: 'usr_3h8j1k5l0z2x',
        phone: '+34600000003',
        name: 'Jordi',
        groupIds: ['grp_2d7f5g8h1j3k'],
        access: {
          timeFrames: [
            {
              days: ['mon', 'tue', 'wed', 'thu', 'fri'],
              from: '18:00',
              to: '22:00',
            },
          ],
          validFrom: null,
          validUntil: '2027-06-30T23:59:59+02:00',
        },
        geofenceMeters: null,
        createdAt: '2026-12-01T09:30:00.000+01:00',
      },
    ],
  });
export type Member = z.infer<typeof Member>;

export const CreateMemberBody = z
  .object({
    phone: PhoneInput,
    name: z.string().trim().min(1).max(100).nullish(),
    groupIds: z.array(Id).max(100).default([]),
    access: Access.nullish(),
    geofenceMeters: GeofenceMeters.nullish(),
  })
  .meta({
    examples: [
      {
        phone: '+34600000003',
        name: 'Ana',
        groupIds: ['grp_4k9x0m2p7q1r'],
        access: {
          timeFrames: [
            {
              days: ['mon', 'tue', 'wed', 'thu', 'fri'],
              from: '18:00',
              to: '22:00',
            },
          ],
        },
      },
    ],
  });
export const UpdateMemberBody = z
  .object({
    name: z.string().trim().min(1).max(100).nullable(),
    groupIds: z.array(Id).max(100),
    access: Access.nullable(),
    geofenceMeters: GeofenceMeters.nullable(),
  })
  .partial()
  .meta({
    examples: [
      {
        access: {
          timeFrames: [{ days: ['sat', 'sun'], from: '10:00', to: '14:00' }],
          validUntil: '2027-06-30T23:59:59+02:00',
        },
      },
    ],
  });
export const MemberResponse = z.object({ member: Member });
export const MembersResponse = z.object({ members: z.array(Member) });
