import { zonedParts, zonedTimeToInstant } from '@keyway/rules';
import type { Clock } from '../../../server/src/clock';

/**
 * A server clock that runs at real speed from a chosen instant and can be set (the server's
 * scheduler re-arms its timers when told). Set ahead of real time only: the real unit process
 * checks command expiry on its own clock.
 */
export class FlowingClock implements Clock {
  private offset: number;
  private listeners = new Set<() => void>();
  constructor(at: Date) {
    this.offset = at.getTime() - Date.now();
  }
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  set(at: Date): void {
    this.offset = at.getTime() - Date.now();
    for (const l of this.listeners) l();
  }
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Tomorrow (in Madrid) at hh:mm:ss Madrid time: always ahead of the real clock. */
export function madridTomorrow(hh: number, mm: number, ss = 0): Date {
  const p = zonedParts(new Date(Date.now() + 86_400_000), 'Europe/Madrid');
  const at = zonedTimeToInstant(
    'Europe/Madrid',
    p.year,
    p.month,
    p.day,
    hh,
    mm,
  );
  return new Date(at.getTime() + ss * 1000);
}
