import { describe, expect, it } from 'vitest';
import { type Beating, HeartbeatPacer } from './heartbeat';

class Member implements Beating {
  beats: number[] = [];
  expired: number | null = null;
  constructor(
    public lastHeard: number,
    /** Answers each beat this late (its pong), or never (null). */
    private pongAfter: number | null = 0,
  ) {}
  heartbeat(now: number) {
    this.beats.push(now);
  }
  /** Delivers the pongs due by `now`. */
  hear(now: number) {
    if (this.pongAfter === null) return;
    for (const b of this.beats)
      if (b + this.pongAfter <= now)
        this.lastHeard = Math.max(this.lastHeard, b + this.pongAfter);
  }
  expire() {
    this.expired ??= this.beats.length;
  }
}

/** Runs the pacer with a tick every `tick` ms from 0 to `until`, delivering pongs as it goes. */
function run(
  pacer: HeartbeatPacer<Member>,
  members: Set<Member>,
  until: number,
  tick = 50,
  from = 0,
) {
  for (let now = from; now <= until; now += tick) {
    for (const m of members) m.hear(now);
    pacer.tick(now);
  }
}

describe('heartbeats by deadline', () => {
  it('beats one phone and one dashboard at most 5 times in 60 s at the default 15 s', () => {
    const phone = new Member(0);
    const dashboard = new Member(0);
    const members = new Set([phone, dashboard]);
    run(new HeartbeatPacer(members, 15_000), members, 60_000);
    for (const m of [phone, dashboard]) {
      expect(m.beats.length).toBeLessThanOrEqual(5);
      expect(m.beats.length).toBeGreaterThanOrEqual(4);
      expect(m.expired).toBeNull();
    }
  });

  it('beats every member exactly once per interval, spread over it', () => {
    const members = new Set(Array.from({ length: 1000 }, () => new Member(0)));
    run(new HeartbeatPacer(members, 1000), members, 10_000 - 1, 10);
    const all = [...members];
    // Ten intervals: each member ten times, give or take the one whose slot is at either end.
    for (const m of all) expect([9, 10]).toContain(m.beats.length);
    expect(all.reduce((n, m) => n + m.beats.length, 0)).toBeGreaterThanOrEqual(
      9_900,
    );
    // Spread: no 10 ms tick beats more than its share of the interval (1000 × 10 / 1000), plus one.
    const perTick = new Map<number, number>();
    for (const m of all)
      for (const b of m.beats) perTick.set(b, (perTick.get(b) ?? 0) + 1);
    expect(Math.max(...perTick.values())).toBeLessThanOrEqual(11);
    // Each member's beats are about one interval apart.
    for (const m of all)
      for (let i = 1; i < m.beats.length; i++)
        expect(
          Math.abs(m.beats[i]! - m.beats[i - 1]! - 1000),
        ).toBeLessThanOrEqual(20);
  });

  it('keeps a member whose pongs come late, and expires one that went silent two intervals ago', () => {
    const slow = new Member(0, 450); // a 4G link: every pong nearly half an interval late
    const stalled = new Member(0, 0);
    const members = new Set([slow, stalled]);
    const pacer = new HeartbeatPacer(members, 1000);
    run(pacer, members, 3000);
    // A tunnel: nothing more comes from it after 3 s.
    const silentSince = stalled.lastHeard;
    (stalled as unknown as { pongAfter: null }).pongAfter = null;
    let expiredAt: number | null = null;
    for (let now = 3050; now <= 8000; now += 50) {
      for (const m of members) m.hear(now);
      pacer.tick(now);
      if (stalled.expired !== null && expiredAt === null) expiredAt = now;
    }
    expect(slow.expired).toBeNull();
    expect(expiredAt).not.toBeNull();
    // Two intervals of silence, noticed within a tenth of an interval (the sweep) and a tick.
    expect(expiredAt! - silentSince).toBeGreaterThan(2000);
    expect(expiredAt! - silentSince).toBeLessThanOrEqual(2000 + 100 + 50);
  });

  it('beats a member that joins mid-round within about one interval', () => {
    const first = new Member(0);
    const members = new Set([first]);
    const pacer = new HeartbeatPacer(members, 1000);
    run(pacer, members, 1500);
    const late = new Member(1500);
    members.add(late);
    run(pacer, members, 4000, 50, 1550);
    expect(late.beats[0]! - 1500).toBeLessThanOrEqual(1050);
    expect(first.beats).toEqual([0, 1000, 2000, 3000, 4000]);
  });
});
