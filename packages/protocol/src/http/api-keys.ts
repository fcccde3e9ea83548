import { z } from 'zod';
import { Id, IsoTime } from '../common';

/**
 * What an API key may do (API.md "Integrations"). Each route names the one scope a key needs to
 * call it; a route that names none (log in, the caller's profile, spaces and admins, API keys
 * themselves) is for people only. A key never does more than its scopes, in its one space.
 */
export const API_SCOPES = [
  'spaces:read',
  'spaces:write',
  'doors:read',
  'doors:write',
  'doors:open',
  'units:read',
  'units:write',
  'groups:read',
  'groups:write',
  'members:read',
  'members:write',
  'events:read',
  'audit:read',
  'webhooks:read',
  'webhooks:write',
] as const;
export const ApiScope = z.enum(API_SCOPES);
export type ApiScope = z.infer<typeof ApiScope>;

/** What every answer about a key shows: never its secret, which is shown once. */
export const ApiKey = z.object({
  id: Id,
  spaceId: Id,
  name: z.string(),
  scopes: z.array(ApiScope),
  /** The secret's first characters (`kw_AbCd…`), to tell keys apart. */
  prefix: z.string(),
  expiresAt: IsoTime.nullable(),
  lastUsedAt: IsoTime.nullable(),
  /** The address of the last request made with the key. */
  lastUsedIp: z.string().nullable(),
  createdAt: IsoTime,
});
export type ApiKey = z.infer<typeof ApiKey>;

/** A key's secret: `kw_` and 43 URL-safe characters (32 random bytes). */
export const ApiKeySecret = z
  .string()
  .regex(/^kw_[A-Za-z0-9_-]{43}$/)
  .meta({
    description:
      'Shown once. Send it as `Authorization: Bearer kw_…`; the server keeps only its hash.',
    examples: ['kw_Xk1p0aQ7m2cR9tV4wY6zB8dF3gH5jK0lN2pS4uW6yA1'],
  });

export const CreateApiKeyBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(ApiScope).min(1).max(API_SCOPES.length),
    /** Absent or null: the key does not expire. It must lie in the future. */
    expiresAt: IsoTime.nullish(),
  })
  .meta({
    examples: [
      {
        name: 'Booking tool',
        scopes: ['members:read', 'members:write'],
        expiresAt: '2027-12-31T23:00:00Z',
      },
    ],
  });
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBody>;

export const ApiKeyCreatedResponse = z.object({
  apiKey: ApiKey,
  secret: ApiKeySecret,
});
export const ApiKeysResponse = z.object({ apiKeys: z.array(ApiKey) });
