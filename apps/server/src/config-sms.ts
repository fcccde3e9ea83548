import { isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';

const e164 = /^\+[1-9]\d{6,14}$/;
const list = (item: z.ZodType<string, string>) =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).min(1));

/**
 * The SMS rows of the configuration table (config.ts): which gateway sends login codes, its
 * credentials (`secret: true`: masked wherever settings are printed, never in an error), and the
 * guards against SMS pumping. docs/deploy.md says how to set them.
 */
export const SMS_CONFIG = {
  smsProvider: {
    env: 'KEYWAY_SMS_PROVIDER',
    schema: z.enum(['console', 'twilio', 'vonage', 'http']),
    default: 'console',
    doc: 'How login codes are sent: console prints them; twilio, vonage or http (your own gateway) send them.',
  },
  smsOutbox: {
    env: 'KEYWAY_SMS_OUTBOX',
    schema: z.string().min(1).optional(),
    default: undefined,
    doc: 'With the console provider: also append each SMS as a JSON line to this file.',
  },
  twilioAccountSid: {
    env: 'KEYWAY_TWILIO_ACCOUNT_SID',
    schema: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'expected AC followed by 32 hex digits')
      .optional(),
    default: undefined,
    doc: 'Twilio: the Account SID (Console → Account info).',
  },
  twilioAuthToken: {
    env: 'KEYWAY_TWILIO_AUTH_TOKEN',
    schema: z
      .string()
      .regex(/^[0-9a-fA-F]{32}$/, 'expected 32 hex digits')
      .optional(),
    default: undefined,
    secret: true,
    doc: 'Twilio: the Auth Token (secret).',
  },
  twilioFrom: {
    env: 'KEYWAY_TWILIO_FROM',
    schema: z
      .string()
      .regex(
        /^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/,
        'expected a number in E.164, a Messaging Service SID (MG…) or a sender id of up to 11 letters and digits',
      )
      .optional(),
    default: undefined,
    doc: 'Twilio: the sender — a Twilio number (+…), a Messaging Service SID (MG…) or an alphanumeric sender id.',
  },
  twilioBaseUrl: {
    env: 'KEYWAY_TWILIO_BASE_URL',
    schema: z.url(),
    default: 'https://api.twilio.com',
    doc: "Twilio: the API's base URL (tests point it at a local stand-in).",
  },
  vonageApiKey: {
    env: 'KEYWAY_VONAGE_API_KEY',
    schema: z
      .string()
      .regex(/^[0-9A-Za-z]{6,32}$/, 'expected the API key (letters and digits)')
      .optional(),
    default: undefined,
    doc: 'Vonage: the API key (dashboard → API settings).',
  },
  vonageApiSecret: {
    env: 'KEYWAY_VONAGE_API_SECRET',
    schema: z.string().min(8, 'expected at least 8 characters').optional(),
    default: undefined,
    secret: true,
    doc: 'Vonage: the API secret (secret).',
  },
  vonageFrom: {
    env: 'KEYWAY_VONAGE_FROM',
    schema: z
      .string()
      .regex(
        /^(\+?[1-9]\d{6,14}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/,
        'expected an international number or a sender id of up to 11 letters and digits',
      )
      .optional(),
    default: undefined,
    doc: 'Vonage: the sender — a Vonage number or an alphanumeric sender id.',
  },
  vonageBaseUrl: {
    env: 'KEYWAY_VONAGE_BASE_URL',
    schema: z.url(),
    default: 'https://rest.nexmo.com',
    doc: "Vonage: the SMS API's base URL (tests point it at a local stand-in).",
  },
  smsHttpUrl: {
    env: 'KEYWAY_SMS_HTTP_URL',
    schema: z.url().optional(),
    default: undefined,
    doc: 'http provider: your gateway; each SMS is a signed JSON POST there (docs/deploy.md).',
  },
  smsHttpSecret: {
    env: 'KEYWAY_SMS_HTTP_SECRET',
    schema: z.string().min(16, 'expected at least 16 characters').optional(),
    default: undefined,
    secret: true,
    doc: 'http provider: the key of the Keyway-Signature HMAC (secret).',
  },
  smsTimeoutMs: {
    env: 'KEYWAY_SMS_TIMEOUT_MS',
    schema: z.coerce.number().int().min(100).max(60_000),
    default: '5000',
    doc: 'How long one provider call may take; a timeout is retried once, then the caller gets 503 sms_unavailable.',
  },
  smsCountries: {
    env: 'KEYWAY_SMS_COUNTRIES',
    schema: list(
      z
        .string()
        .refine(
          (c) => isSupportedCountry(c),
          'expected ISO 3166 country codes such as ES,FR',
        ),
    ).optional(),
    default: undefined,
    doc: 'Countries (ISO codes, comma-separated, e.g. ES,PT,FR) login codes may be sent to; unset: all. Guards against SMS pumping.',
  },
  smsPerHour: {
    env: 'KEYWAY_SMS_PER_HOUR',
    schema: z.coerce.number().int().min(1).max(10_000_000),
    default: '1000',
    doc: 'SMS the whole install may send per hour (all nodes together); above it, 503 sms_unavailable and a warning.',
  },
  signup: {
    env: 'KEYWAY_SIGNUP',
    schema: z.enum(['open', 'invite']),
    default: 'open',
    doc: "open: any number gets a code. invite: only numbers that are a space's member or admin (or in KEYWAY_SIGNUP_PHONES); others get the same 202 and no SMS.",
  },
  signupPhones: {
    env: 'KEYWAY_SIGNUP_PHONES',
    schema: list(z.string().regex(e164, 'expected E.164 numbers')).optional(),
    default: undefined,
    doc: 'With KEYWAY_SIGNUP=invite: numbers that may always log in (the operators who create spaces), comma-separated E.164.',
  },
} as const;

/** What the chosen provider needs, checked at start: every missing setting named at once. */
export function smsProblems(c: Record<string, unknown>): string[] {
  const need: Record<string, string[]> = {
    twilio: ['twilioAccountSid', 'twilioAuthToken', 'twilioFrom'],
    vonage: ['vonageApiKey', 'vonageApiSecret', 'vonageFrom'],
    http: ['smsHttpUrl', 'smsHttpSecret'],
  };
  const rows = SMS_CONFIG as Record<string, { env: string }>;
  return (need[String(c.smsProvider)] ?? [])
    .filter((k) => c[k] === undefined)
    .map(
      (k) =>
        `${rows[k]?.env} is required with KEYWAY_SMS_PROVIDER=${String(c.smsProvider)}`,
    );
}
