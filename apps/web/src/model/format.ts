import { zonedParts } from '@keyway/rules';
import type { Lang, Translate } from '../i18n';

const cache = new Map<string, Intl.DateTimeFormat>();

/** The phone's own locale when it speaks the app's language (en-GB dates for en-GB), else the language. */
const locale = (lang: Lang) =>
  navigator.language.toLowerCase().startsWith(lang) ? navigator.language : lang;
function fmt(
  lang: Lang,
  timeZone: string | undefined,
  opts: Intl.DateTimeFormatOptions,
) {
  const key = `${lang}|${timeZone}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale(lang), {
      ...opts,
      ...(timeZone ? { timeZone } : {}),
    });
    cache.set(key, f);
  }
  return f;
}

/** "18:00" in the space's zone (schedules are wall-clock times there). */
export const formatTime = (at: Date, lang: Lang, timeZone?: string) =>
  fmt(lang, timeZone, {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);

export const formatDate = (at: Date, lang: Lang, timeZone?: string) =>
  fmt(lang, timeZone, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  }).format(at);

export const formatDateTime = (at: Date, lang: Lang, timeZone?: string) =>
  fmt(lang, timeZone, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);

/**
 * "at 18:00", "tomorrow at 10:00", "Mon, 3 Feb at 18:00" (or "until 22:00"...), relative to
 * today in the space's zone.
 */
export function formatWhen(
  at: Date,
  now: Date,
  timeZone: string,
  lang: Lang,
  t: Translate,
  kind: 'when' | 'until' = 'when',
): string {
  const time = formatTime(at, lang, timeZone);
  const day = (d: Date) => {
    const p = zonedParts(d, timeZone);
    return Date.UTC(p.year, p.month - 1, p.day) / 86_400_000;
  };
  const diff = day(at) - day(now);
  if (diff === 0) return t(`${kind}.today`, { time });
  if (diff === 1) return t(`${kind}.tomorrow`, { time });
  const date = fmt(lang, timeZone, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  }).format(at);
  return t(`${kind}.other`, { date, time });
}
