import { z } from 'zod';
import { Id, IsoTime, Phone, PhoneInput } from '../common';

export const RequestCodeBody = z.object({ phone: PhoneInput });
export const RequestCodeResponse = z.object({
  expiresInSeconds: z.number().int(),
});

export const VerifyCodeBody = z.object({
  phone: PhoneInput,
  code: z.string().regex(/^\d{6}$/, 'expected 6 digits'),
  deviceName: z.string().trim().min(1).max(100).optional(),
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

export const UpdateMeBody = z.object({
  name: z.string().trim().min(1).max(100).nullable(),
});
