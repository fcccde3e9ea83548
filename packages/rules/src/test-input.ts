// Small builders shared by the tests (not exported from the package).
import type { Access, AccessInput, TimeFrame, Weekday } from './types';

export function frame(days: Weekday[], from: string, to: string): TimeFrame {
  return { days, from, to };
}

/** A member of one group that grants the door, with the given access, in `timezone`. */
export function memberInput(
  access: Access | null,
  timezone = 'Europe/Madrid',
): AccessInput {
  return { timezone, member: { access }, groups: [{}], space: {} };
}

export const at = (iso: string) => new Date(iso);
