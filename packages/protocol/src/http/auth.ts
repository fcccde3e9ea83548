import { z } from 'zod';
import { Id, IsoTime, Phone, PhoneInput } from '../common';

export const RequestCodeBody = z
  .object({ phone: PhoneInput })
  .meta({ examples: [{ phone: '+34 600 00 00 01' }] });
export const RequestCodeResponse = z.object({
  expiresInSeconds: z.number().int(),
});

export const VerifyCodeBody = z
  .object({
    phone: PhoneInput,
    code: z
      .string()
      .regex(/^\d{6}$/, 'expected 6 digits')
      .meta({
        description: 'The 6 digits the SMS gave (examples are placeholders).',
      }),
    deviceName: z.string().trim().min(1).max(100).optional(),
  })
  .meta({
    examples: [
      { phone: '+34600000001', code: '000000', deviceName: 'Ana’s phone' },
    ],
  });

export const User = z
  .object({
    id: Id,
    phone: Phone,
    name: z.string().nullable(),
  })
  .meta({
    examples: [
      { id: 'usr_3h8j1k5l0z2x', phone: '+34600000001', name: 'Marta Puig' },
    ],
  });
export type User = z.infer<typeof User>;

export const Session = z
  .object({
    id: Id,
    deviceName: z.string().nullable(),
    createdAt: IsoTime,
    lastSeenAt: IsoTime,
    current: z.boolean(),
  })
  .meta({
    examples: [
      {
        id: 'ses_7r5t2y9u4i1o',
        deviceName: 'Pixel 8',
        createdAt: '2026-12-01T09:30:00.000+01:00',
        lastSeenAt: '2027-01-05T11:58:02.120+01:00',
        current: true,
      },
    ],
  });
export type Session = z.infer<typeof Session>;

export const VerifyCodeResponse = z.object({
  token: z.string(),
  user: User,
  session: z.object({ id: Id }),
});

export const MeResponse = z.object({ user: User, sessions: z.array(Session) });

export const UpdateMeBody = z
  .object({
    name: z.string().trim().min(1).max(100).nullable(),
  })
  .meta({ examples: [{ name: 'Marta Puig' }] });
