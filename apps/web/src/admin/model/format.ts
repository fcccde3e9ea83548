import { type Weekday, zonedParts, zonedTimeToInstant } from '@keyway/rules';
import type { Translate } from '../i18n';

const fmts = new Map<string, Intl.DateTimeFormat>();
function fmt(
  lang: string,
  timezone: string,
  opts: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = `${lang}|${timezone}|${JSON.stringify(opts)}`;
  let f = fmts.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { timeZone: timezone, ...opts });
    fmts.set(key, f);
  }
  return f;
}

/** "Tue 5 Jan, 22:00:15" in the space's zone. */
export function formatInstant(
  at: string | Date | null,
  timezone: string,
  lang: string,
  seconds = false,
): string {
  if (at === null) return '—';
  const d = typeof at === 'string' ? new Date(at) : at;
  return fmt(lang, timezone, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  }).format(d);
}

export function formatDay(day: string, lang: string): string {
  return fmt(lang, 'UTC', { day: 'numeric', month: 'short' }).format(
    new Date(`${day}T12:00:00Z`),
  );
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The value of an `<input type="datetime-local" step="1">` for an instant, in the space's zone. */
export function toLocalInput(at: Date, timezone: string): string {
  const p = zonedParts(at, timezone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** The instant a `datetime-local` value names in the space's zone (DST gaps: the instant after). */
export function fromLocalInput(value: string, timezone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const base = zonedTimeToInstant(timezone, y!, mo!, d!, h!, mi!);
  return new Date(base.getTime() + (s || 0) * 1000);
}

/** The space-local calendar day "YYYY-MM-DD" and hour of an instant. */
export function localDayHour(
  at: string,
  timezone: string,
): { day: string; hour: number } {
  const p = zonedParts(new Date(at), timezone);
  return { day: `${p.year}-${pad(p.month)}-${pad(p.day)}`, hour: p.hour };
}

export function weekdayNames(lang: string): Record<Weekday, string> {
  const f = new Intl.DateTimeFormat(lang, {
    weekday: 'short',
    timeZone: 'UTC',
  });
  // 2024-01-01 was a Monday.
  const days: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  return Object.fromEntries(
    days.map((d, i) => [d, f.format(new Date(Date.UTC(2024, 0, 1 + i)))]),
  ) as Record<Weekday, string>;
}

export function relativeAgo(
  at: string | null,
  now: number,
  lang: string,
): string {
  if (!at) return '—';
  const s = Math.round((new Date(at).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  const abs = Math.abs(s);
  if (abs < 60) return rtf.format(s, 'second');
  if (abs < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86400), 'day');
}

/** "now", "today 18:00", "tonight 22:00", "tomorrow 06:00", or the date: for "from when" sentences. */
export function relativeWhen(
  t: Translate,
  at: Date,
  now: Date,
  timezone: string,
  lang: string,
): string {
  if (at.getTime() - now.getTime() < 1000) return t('when.now');
  const day = (d: Date) => localDayHour(d.toISOString(), timezone).day;
  const time = fmt(lang, timezone, {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  const { hour } = localDayHour(at.toISOString(), timezone);
  if (day(at) === day(now))
    return t(hour >= 20 ? 'when.tonight' : 'when.today', { time });
  if (day(at) === day(new Date(now.getTime() + 86_400_000)))
    return t('when.tomorrow', { time });
  return formatInstant(at, timezone, lang);
}
