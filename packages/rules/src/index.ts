export { weekdayOf } from './calendar';
export { decide, decideAt, sameDecision } from './decide';
export { distanceMeters, effectiveGeofence } from './geofence';
export { nextChange } from './next-change';
export {
  isInSchedule,
  type MinuteRange,
  parseWallTime,
  scheduleForDay,
  type WeeklySchedule,
  weeklySchedule,
} from './schedule';
export type {
  Access,
  AccessInput,
  Decision,
  DenialReason,
  LatLon,
  Position,
  TimeFrame,
  Weekday,
} from './types';
export { WEEKDAYS } from './types';
export { zonedTimeToInstant } from './wall-time';
export { type ZonedParts, zonedParts } from './zone';
