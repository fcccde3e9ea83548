import type { AccessEvent } from '@keyway/protocol';
import { localDayHour } from './format';

export interface Insights {
  /** Space-local days, oldest first, with granted opens. */
  perDay: { day: string; count: number }[];
  perDoor: Map<string, number>;
  refusals: Map<string, number>;
  /** Granted opens per local hour 0–23. */
  hours: number[];
  opened: number;
  refused: number;
  /** Members who opened at least once in the window. */
  activeMembers: number;
}

/** Aggregates door.open events for the Home charts (the events come from GET /events plus live ones). */
export function insightsOf(
  events: readonly AccessEvent[],
  timezone: string,
  now: Date,
  days = 14,
): Insights {
  const perDay = new Map<string, number>();
  for (let i = days - 1; i >= 0; i--)
    perDay.set(
      localDayHour(
        new Date(now.getTime() - i * 86_400_000).toISOString(),
        timezone,
      ).day,
      0,
    );
  const perDoor = new Map<string, number>();
  const refusals = new Map<string, number>();
  const hours = new Array<number>(24).fill(0);
  const members = new Set<string>();
  let opened = 0;
  let refused = 0;
  for (const e of events) {
    if (e.type !== 'door.open') continue;
    if (e.result !== 'granted') {
      refused++;
      const why = e.reason ?? e.result ?? 'unknown';
      refusals.set(why, (refusals.get(why) ?? 0) + 1);
      continue;
    }
    opened++;
    if (e.memberId) members.add(e.memberId);
    const { day, hour } = localDayHour(e.at, timezone);
    if (perDay.has(day)) perDay.set(day, perDay.get(day)! + 1);
    hours[hour]!++;
    if (e.doorId) perDoor.set(e.doorId, (perDoor.get(e.doorId) ?? 0) + 1);
  }
  return {
    perDay: [...perDay].map(([day, count]) => ({ day, count })),
    perDoor,
    refusals,
    hours,
    opened,
    refused,
    activeMembers: members.size,
  };
}

/** Merges fetched and pushed events, newest first, without duplicates. */
export function mergeEvents(
  a: readonly AccessEvent[],
  b: readonly AccessEvent[],
): AccessEvent[] {
  const seen = new Set<string>();
  const out: AccessEvent[] = [];
  for (const e of [...a, ...b]) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    out.push(e);
  }
  return out.sort((x, y) => y.at.localeCompare(x.at));
}
