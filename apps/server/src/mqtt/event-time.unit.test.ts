import { describe, expect, it } from 'vitest';
import { AHEAD_TOLERANCE_MS, MAX_AGE_MS, placeEvent } from './event-time';

const received = new Date('2027-01-05T11:00:00.000Z');
const at = (ms: number) => new Date(received.getTime() + ms).toISOString();

describe('placing a door event by the unit clock', () => {
  it('keeps the unit time, a replay hours old included', () => {
    expect(placeEvent(at(-120_000), received)).toEqual({
      at: new Date(at(-120_000)),
    });
    expect(placeEvent(at(-3 * 3600_000), received).clockSkew).toBeUndefined();
    expect(
      placeEvent(at(AHEAD_TOLERANCE_MS), received).clockSkew,
    ).toBeUndefined();
  });

  it('clamps to the arrival and flags a clock ahead or far behind', () => {
    expect(placeEvent(at(AHEAD_TOLERANCE_MS + 1), received)).toEqual({
      at: received,
      clockSkew: 'ahead',
    });
    expect(placeEvent(at(-MAX_AGE_MS - 1), received)).toEqual({
      at: received,
      clockSkew: 'behind',
    });
    expect(placeEvent('1970-01-01T00:00:00.000Z', received).clockSkew).toBe(
      'behind',
    );
  });
});
