import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ownerOf } from './rendezvous';
import {
  type FollowerHandle,
  UnitFollowers,
  type UnitPlacement,
} from './unit-followers';

/** What the fake followers were asked: `unit@cursor` per start, `-unit` per stop, `+unit cursor` per applied. */
function world(self = 'node-a') {
  const log: string[] = [];
  let members: string[] = [];
  const listeners = new Set<() => void>();
  const online = new Set<string>();
  const stored = new Map<string, string>();
  const reads: number[] = [];
  let clock = 0;
  const placement: UnitPlacement = {
    self,
    members: () => members,
    onChange: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onlineUnits: () => [...online],
    isOnline: (u) => online.has(u),
    storedCursors: async (ids) => {
      reads.push(ids.length);
      return new Map(
        ids.filter((u) => stored.has(u)).map((u) => [u, stored.get(u)!]),
      );
    },
  };
  const create = (unitId: string): FollowerHandle => {
    let stopped = false;
    return {
      resume: async (cursor) => {
        log.push(`${unitId}@${cursor ?? 'snapshot'}`);
      },
      applied: (cursor) => log.push(`+${unitId} ${cursor}`),
      stop: () => {
        if (!stopped) log.push(`-${unitId}`);
        stopped = true;
      },
      get stopped() {
        return stopped;
      },
    };
  };
  return {
    log,
    online,
    stored,
    reads,
    placement,
    create,
    tick: (ms: number) => {
      clock += ms;
    },
    now: () => clock,
    setMembers(next: string[]) {
      members = [...next].sort();
      for (const l of listeners) l();
    },
  };
}

/** Units whose first-ranked node among `nodes` is `node`. */
const unitsOwnedBy = (node: string, nodes: string[], n: number) => {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++)
    if (ownerOf(`unit_${i}`, nodes) === node) out.push(`unit_${i}`);
  return out;
};

const quiet = pino({ level: 'silent' });
let followers: UnitFollowers | undefined;
afterEach(() => followers?.stop());

describe('unit followers on one process', () => {
  it('follows every unit that resumes, counts its applied, stops when it goes offline', () => {
    const w = world();
    followers = new UnitFollowers({ log: quiet, create: w.create });
    followers.onReport('unit_1', { type: 'resume', cursor: 'E.3' });
    followers.onReport('unit_1', { type: 'applied', cursor: 'E.4' });
    followers.onReport('unit_2', { type: 'resume', cursor: null });
    followers.onStatus('unit_1', false, false);
    expect(w.log).toEqual([
      'unit_1@E.3',
      '+unit_1 E.4',
      'unit_2@snapshot',
      '-unit_1',
    ]);
    expect(followers.size).toBe(1);
  });
});

describe('unit followers in a cluster', () => {
  const nodes = ['node-a', 'node-b'];
  const [mine] = unitsOwnedBy('node-a', nodes, 1);
  const [theirs] = unitsOwnedBy('node-b', nodes, 1);

  const start = () => {
    const w = world('node-a');
    followers = new UnitFollowers({
      log: quiet,
      create: w.create,
      placement: w.placement,
      now: w.now,
      sweepMs: 60_000,
    });
    w.setMembers(nodes);
    for (const u of [mine!, theirs!]) {
      w.online.add(u);
      followers.onStatus(u, true, false);
    }
    return { w, f: followers };
  };

  it('follows only the units it ranks first for; hears the others', () => {
    const { w, f } = start();
    f.onReport(mine!, { type: 'resume', cursor: 'E.1' });
    f.onReport(theirs!, { type: 'resume', cursor: 'E.1' });
    f.onReport(theirs!, { type: 'applied', cursor: 'E.5' });
    expect(w.log).toEqual([`${mine}@E.1`]);
    expect(f.following(theirs!)).toBe(false);
  });

  it('a node gone: its units are taken over from the last cursor they reported; back, they are handed back', () => {
    const { w, f } = start();
    f.onReport(theirs!, { type: 'resume', cursor: 'E.1' });
    f.onReport(theirs!, { type: 'applied', cursor: 'E.7' });
    w.setMembers(['node-a']);
    expect(w.log).toEqual([`${theirs}@E.7`]);
    f.onReport(theirs!, { type: 'applied', cursor: 'E.8' });
    w.setMembers(nodes);
    expect(w.log).toEqual([`${theirs}@E.7`, `+${theirs} E.8`, `-${theirs}`]);
    expect(f.following(theirs!)).toBe(false);
  });

  it('units connected before this node started: taken from their stored cursors, read at once', async () => {
    const w = world('node-a');
    const more = unitsOwnedBy('node-a', nodes, 4).slice(1);
    w.stored.set(mine!, 'E.42');
    for (const u of more) {
      w.online.add(u);
      w.stored.set(u, 'E.40');
    }
    followers = new UnitFollowers({
      log: quiet,
      create: w.create,
      placement: w.placement,
      now: w.now,
      sweepMs: 60_000,
    });
    w.online.add(mine!);
    followers.onStatus(mine!, true, true); // retained: not announced yet, owns nothing
    expect(w.log).toEqual([]);
    w.setMembers(nodes); // announced
    await new Promise((r) => setImmediate(r));
    expect(w.log.sort()).toEqual(
      [`${mine}@E.42`, ...more.map((u) => `${u}@E.40`)].sort(),
    );
    expect(w.reads).toEqual([4]);
  });

  it('a unit just connected gets time to resume; without one, a snapshot', () => {
    const { w, f } = start();
    f.rebalance();
    expect(w.log).toEqual([]);
    w.tick(3500);
    f.rebalance();
    expect(w.log).toEqual([`${mine}@snapshot`]);
    // Its resume restarts the follower from where it says it is.
    f.onReport(mine!, { type: 'resume', cursor: 'E.9' });
    expect(w.log).toEqual([`${mine}@snapshot`, `-${mine}`, `${mine}@E.9`]);
  });

  it('not announced yet, or left: follows nothing', () => {
    const { w, f } = start();
    f.onReport(mine!, { type: 'resume', cursor: 'E.1' });
    w.setMembers(['node-b']); // this node left (clean shutdown)
    expect(w.log).toEqual([`${mine}@E.1`, `-${mine}`]);
    expect(f.size).toBe(0);
  });

  it('offline: no follower, and no cursor kept', () => {
    const { w, f } = start();
    f.onReport(theirs!, { type: 'resume', cursor: 'E.1' });
    f.onStatus(theirs!, false, false);
    w.online.delete(theirs!);
    w.setMembers(['node-a']);
    expect(w.log).toEqual([]);
  });
});
