import { describe, expect, it } from 'vitest';
import { decideAt } from './decide';
import { nextChange } from './next-change';
import { at, frame, memberInput } from './test-input';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Every minute (and the last millisecond) of [start, end) is allowed; start - 1 ms and end are not. */
function expectOpenExactly(
  input: ReturnType<typeof memberInput>,
  start: Date,
  end: Date,
) {
  expect(decideAt(input, new Date(start.getTime() - 1)).allowed).toBe(false);
  for (let t = start.getTime(); t < end.getTime(); t += MINUTE) {
    expect(
      decideAt(input, new Date(t)).allowed,
      new Date(t).toISOString(),
    ).toBe(true);
  }
  expect(decideAt(input, new Date(end.getTime() - 1)).allowed).toBe(true);
  expect(decideAt(input, end).allowed).toBe(false);
}

// Saturday 22:00 to Sunday 06:00 wall clock; the DST changes below all happen on a Sunday night.
const overnight = { timeFrames: [frame(['sat'], '22:00', '06:00')] };

describe.each([
  {
    zone: 'Europe/Madrid', // 02:00 -> 03:00
    night: 'spring-forward',
    start: '2026-03-28T22:00:00+01:00',
    end: '2026-03-29T06:00:00+02:00',
    hours: 7,
  },
  {
    zone: 'America/New_York', // 02:00 -> 03:00
    night: 'spring-forward',
    start: '2026-03-07T22:00:00-05:00',
    end: '2026-03-08T06:00:00-04:00',
    hours: 7,
  },
  {
    zone: 'Europe/Madrid', // 03:00 -> 02:00
    night: 'fall-back',
    start: '2026-10-24T22:00:00+02:00',
    end: '2026-10-25T06:00:00+01:00',
    hours: 9,
  },
  {
    zone: 'America/New_York', // 02:00 -> 01:00
    night: 'fall-back',
    start: '2026-10-31T22:00:00-04:00',
    end: '2026-11-01T06:00:00-05:00',
    hours: 9,
  },
])(
  '22:00-06:00 over the $night night in $zone',
  ({ zone, start, end, hours }) => {
    const input = memberInput(overnight, zone);

    it('is open at every instant from 22:00 to 06:00 local', () => {
      expectOpenExactly(input, at(start), at(end));
    });

    it(`lasts ${hours} hours of real time, as nextChange reports`, () => {
      const opens = nextChange(input, new Date(at(start).getTime() - 1));
      expect(opens).toEqual(at(start));
      const closes = nextChange(input, opens!);
      expect(closes).toEqual(at(end));
      expect(closes!.getTime() - opens!.getTime()).toBe(hours * HOUR);
    });
  },
);

describe('a frame inside the spring-forward gap (Madrid 2026-03-29, 02:00 -> 03:00)', () => {
  const input = memberInput({ timeFrames: [frame(['sun'], '02:30', '03:30')] });

  it('opens at 03:00 local, the first instant after the gap, and closes at 03:30', () => {
    const before = at('2026-03-29T01:59:59.999+01:00');
    expect(decideAt(input, before).allowed).toBe(false);
    const opens = nextChange(input, before);
    expect(opens).toEqual(at('2026-03-29T03:00:00+02:00'));
    expect(decideAt(input, opens!).allowed).toBe(true);
    expect(nextChange(input, opens!)).toEqual(at('2026-03-29T03:30:00+02:00'));
  });

  it('is back to a one-hour frame the next Sunday', () => {
    const opens = nextChange(input, at('2026-03-29T04:00:00+02:00'));
    expect(opens).toEqual(at('2026-04-05T02:30:00+02:00'));
    expect(nextChange(input, opens!)).toEqual(at('2026-04-05T03:30:00+02:00'));
  });
});

describe('a frame inside the repeated hour (New York 2026-11-01, 02:00 -> 01:00)', () => {
  const input = memberInput(
    { timeFrames: [frame(['sun'], '01:30', '01:45')] },
    'America/New_York',
  );
  const edt = (hhmm: string) => at(`2026-11-01T${hhmm}:00-04:00`);
  const est = (hhmm: string) => at(`2026-11-01T${hhmm}:00-05:00`);

  it('is inside both times 01:30 occurs', () => {
    expect(decideAt(input, edt('01:30')).allowed).toBe(true);
    expect(decideAt(input, edt('01:45')).allowed).toBe(false);
    expect(decideAt(input, est('01:30')).allowed).toBe(true);
    expect(decideAt(input, est('01:44')).allowed).toBe(true);
    expect(decideAt(input, est('01:45')).allowed).toBe(false);
  });

  it('reports all four changes of that night, in order', () => {
    const changes: Date[] = [];
    let t: Date | null = at('2026-11-01T00:00:00-04:00');
    for (let i = 0; i < 5 && t; i++) {
      t = nextChange(input, t);
      if (t) changes.push(t);
    }
    expect(changes).toEqual([
      edt('01:30'),
      edt('01:45'),
      est('01:30'),
      est('01:45'),
      at('2026-11-08T01:30:00-05:00'),
    ]);
  });
});

describe('a frame that the fall-back jump re-enters', () => {
  // Madrid 2026-10-25: 02:59:59 CEST is followed by 02:00:00 CET, which is inside 01:00-02:30 again.
  const input = memberInput({ timeFrames: [frame(['sun'], '01:00', '02:30')] });

  it('reopens at the transition instant itself', () => {
    expect(nextChange(input, at('2026-10-25T02:30:00+02:00'))).toEqual(
      at('2026-10-25T02:00:00+01:00'),
    );
    expect(nextChange(input, at('2026-10-25T02:00:00+01:00'))).toEqual(
      at('2026-10-25T02:30:00+01:00'),
    );
  });
});
