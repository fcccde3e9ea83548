import type { Access, TimeFrame, Weekday } from '@keyway/protocol';
import { WEEKDAYS, zonedParts, zonedTimeToInstant } from '@keyway/rules';

/** The member form's editable state; dates are "YYYY-MM-DD" in the space's zone ("" = none). */
export interface AccessForm {
  advanced: boolean;
  frames: TimeFrame[];
  validFrom: string;
  validUntil: string;
}

export const WORKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
export const newFrame = (): TimeFrame => ({
  days: [...WORKDAYS],
  from: '09:00',
  to: '18:00',
});

function dayOf(iso: string | null | undefined, tz: string): string {
  if (!iso) return '';
  const p = zonedParts(new Date(iso), tz);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Start of a day, or (end) its last millisecond, in the space's zone, as an ISO instant. */
function instantOf(day: string, tz: string, end: boolean): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = end
    ? zonedTimeToInstant(tz, y, mo, d, 23, 59).getTime() + 59_999
    : zonedTimeToInstant(tz, y, mo, d, 0, 0).getTime();
  return new Date(at).toISOString();
}

export function formOf(access: Access | null, tz: string): AccessForm {
  return access
    ? {
        advanced: true,
        frames: access.timeFrames.map((f) => ({ ...f, days: [...f.days] })),
        validFrom: dayOf(access.validFrom, tz),
        validUntil: dayOf(access.validUntil, tz),
      }
    : { advanced: false, frames: [newFrame()], validFrom: '', validUntil: '' };
}

/** null = basic mode (24/7); otherwise the API's advanced access. */
export function accessOf(form: AccessForm, tz: string): Access | null {
  if (!form.advanced) return null;
  return {
    timeFrames: form.frames
      .filter((f) => f.days.length > 0)
      .map((f) => ({ ...f, days: WEEKDAYS.filter((d) => f.days.includes(d)) })),
    validFrom: instantOf(form.validFrom, tz, false),
    validUntil: instantOf(form.validUntil, tz, true),
  };
}

/** A short summary for the members list: "24/7" or "mon–fri 18:00–22:00 · sat 10:00–14:00". */
export function summary(
  access: Access | null,
  dayName: (d: Weekday) => string,
): string {
  if (!access) return '24/7';
  if (!access.timeFrames.length) return '—';
  return access.timeFrames
    .map((f) => {
      const idx = f.days.map((d) => WEEKDAYS.indexOf(d)).sort((a, b) => a - b);
      const run =
        idx.length > 2 && idx.every((v, i) => i === 0 || v === idx[i - 1]! + 1);
      const days = run
        ? `${dayName(WEEKDAYS[idx[0]!]!)}–${dayName(WEEKDAYS[idx[idx.length - 1]!]!)}`
        : idx.map((i) => dayName(WEEKDAYS[i]!)).join(', ');
      return `${days} ${f.from}–${f.to}`;
    })
    .join(' · ');
}

/** Localized short weekday names, from Intl (2024-01-01 was a Monday). */
export function weekdayNames(lang: string): Record<Weekday, string> {
  const f = new Intl.DateTimeFormat(lang, {
    weekday: 'short',
    timeZone: 'UTC',
  });
  const out = {} as Record<Weekday, string>;
  WEEKDAYS.forEach((d, i) => {
    out[d] = f.format(new Date(Date.UTC(2024, 0, 1 + i)));
  });
  return out;
}
