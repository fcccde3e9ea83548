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

export const User = z.object({
  id: Id,
  phone: Phone,
  name: z.string().nullable(),
});
export type User = z.infer<typeof User>;

export const Session = z.object({
  id: Id,
  deviceName: z.string().nullable(),
  createdAt: IsoTime,
  lastSeenAt: IsoTime,
  current: z.boolean(),
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
