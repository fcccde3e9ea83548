import { z } from 'zod';

export const Id = z.string().min(1).max(64);
/** An id in a URL path: every id the server makes (`sp_4k9x…`) has this shape. */
export const PathId = Id.regex(/^[A-Za-z0-9_-]+$/, 'not an id');
/** ISO 8601 date-time with an offset or Z. */
export const IsoTime = z.iso.datetime({ offset: true });
/** Accepted in common human formats; the server stores and returns E.164. */
export const PhoneInput = z
  .string()
  .trim()
  .min(3)
  .max(32)
  .meta({
    description:
      'A phone number in a common human format ("+34 600 00 00 01", "600000001" with the server\'s default country). The server parses it (libphonenumber) and answers 400 invalid_phone if it is not a possible number; it stores and returns it in E.164 (Phone).',
    examples: ['+34 600 00 00 01'],
  });
export const Phone = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/)
  .meta({ description: 'E.164', examples: ['+34600000001'] });
/** A page cursor: the `nextCursor` of the previous page. */
export const PageCursor = z
  .string()
  .regex(/^\d{1,15}$/, 'use nextCursor from a previous page');

export const LatLon = z
  .object({
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
  })
  .meta({ examples: [{ lat: 41.3874, lon: 2.1686 }] });
export type LatLon = z.infer<typeof LatLon>;

export const GeofenceMeters = z.number().int().min(1).max(100_000);

/** Wall-clock time "HH:MM" in the space's time zone. */
export const WallTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected "HH:MM"')
  .meta({ examples: ['18:00'] });
export const Weekday = z.enum([
  'mon',
  'tue',
  'wed',
  'thu',
  'fri',
  'sat',
  'sun',
]);
export type Weekday = z.infer<typeof Weekday>;

/** A frame whose `to` is earlier than its `from` runs overnight; `to` equal to `from` is a full 24 hours. */
export const TimeFrame = z.object({
  days: z.array(Weekday).min(1).max(7),
  from: WallTime,
  to: WallTime,
});
export type TimeFrame = z.infer<typeof TimeFrame>;

/** Advanced mode. Absent or null access means basic mode: 24/7. */
export const Access = z.object({
  timeFrames: z.array(TimeFrame).max(50),
  validFrom: IsoTime.nullish(),
  validUntil: IsoTime.nullish(),
});
export type Access = z.infer<typeof Access>;

/** Zones already known to be valid: constructing a DateTimeFormat to check one costs milliseconds. */
const knownZones = new Set<string>();
const isTimeZone = (tz: string) => {
  if (knownZones.has(tz)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    return false;
  }
  // Valid names only; names are case-insensitive, so spellings are many: bound the set.
  if (knownZones.size >= 2000) knownZones.clear();
  knownZones.add(tz);
  return true;
};

export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, 'unknown IANA time zone')
  // toJSONSchema drops the refine: say in the spec what it checks.
  .meta({
    format: 'iana-time-zone',
    description:
      'An IANA time zone name (tz database, as Intl knows it); case-insensitive, aliases accepted. Anything else is 400 invalid_request.',
    examples: ['Europe/Madrid', 'UTC'],
  });

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
