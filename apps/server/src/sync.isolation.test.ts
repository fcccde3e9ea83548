import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SpaceData } from './sync/space-data';
import type { SpaceViews } from './sync/views';
import { runWalk } from './test/sync-walk';

/**
 * The checks of sync.property.test.ts must be able to fail. Here the server runs with a leak or a
 * loss planted in a wrapped copy of one of its sync functions (only in this file's module graph;
 * the server code is untouched), the same random walk runs, and the stream checks alone (no
 * convergence, so a transient leak cannot hide behind the end state) must report it.
 */
const plant = vi.hoisted(() => ({
  leak: null as
    | null
    | 'ungranted-door'
    | 'admin-entry-in-lockdown'
    | 'drop-replayed-change',
}));

vi.mock('./sync/views', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./sync/views')>();
  return {
    ...actual,
    buildSpaceViews(d: SpaceData, now: Date): SpaceViews {
      const built = actual.buildSpaceViews(d, now);
      const sid = d.space.id;
      for (const m of d.members) {
        const view = built.views.get(actual.memberAudience(m.user_id));
        if (!view) continue;
        // Every door of the space, granted or not (a door none of her groups gives her).
        if (plant.leak === 'ungranted-door')
          for (const door of d.doors)
            if (!view.has(`${sid}/door/${door.id}`))
              view.set(
                `${sid}/door/${door.id}`,
                JSON.stringify({
                  id: door.id,
                  spaceId: sid,
                  name: door.name,
                  state: door.state,
                  stateSince: door.state_since,
                  unitOnline: false,
                  groupIds: [],
                }),
              );
        // A transient leak: while the space is locked down, its members also get the dashboard's space entry.
        if (
          plant.leak === 'admin-entry-in-lockdown' &&
          d.space.lockdown === 1
        ) {
          const adminView = built.views.get(actual.adminAudience(sid));
          const key = `${sid}/admin.space/${sid}`;
          view.set(key, adminView?.get(key) ?? '{}');
        }
      }
      return built;
    },
  };
});

vi.mock('./sync/reader', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./sync/reader')>();
  return {
    ...actual,
    // A resume that silently skips the first of the changes it should replay.
    async readResume(...args: Parameters<typeof actual.readResume>) {
      const r = await actual.readResume(...args);
      return plant.leak === 'drop-replayed-change' && r.changes.length >= 2
        ? { ...r, changes: r.changes.slice(1) }
        : r;
    },
  };
});

const walk = (seed: number, steps: number) =>
  runWalk({
    seed,
    steps,
    backend: 'inprocess',
    restartEvery: 0,
    checkpointEvery: steps,
    checkConvergence: false,
    failFast: false,
    strictOwnEvents: false,
    // Leave out steps that do not matter here, so the short walks reach the planted paths.
    weights: { open: 0, 'space.delete': 0 },
  });

describe('the sync checks catch a planted leak or loss', () => {
  afterEach(() => {
    plant.leak = null;
  });

  it('a member who is sent a door none of her groups grants', async () => {
    plant.leak = 'ungranted-door';
    const { report } = await walk(101, 120);
    const leaks = report.violations.filter((v) =>
      /isolation: (put|snapshot holds) \S+\/door\//.test(v),
    );
    expect(leaks.length).toBeGreaterThan(0);
  }, 120_000);

  it('a transient leak (dashboard entry while in lockdown) that is gone by the end', async () => {
    plant.leak = 'admin-entry-in-lockdown';
    const { report } = await walk(202, 150);
    const leaks = report.violations.filter((v) =>
      /isolation: (put|snapshot holds) \S+\/admin\.space\//.test(v),
    );
    expect(leaks.length).toBeGreaterThan(0);
  }, 120_000);

  it('a resume that skips one change', async () => {
    plant.leak = 'drop-replayed-change';
    const { report } = await walk(303, 150);
    expect(
      report.violations.some((v) => /missed \d+ change\(s\)/.test(v)),
    ).toBe(true);
  }, 120_000);

  it('and with nothing planted, the same walks are clean', async () => {
    for (const [seed, steps] of [
      [101, 120],
      [303, 150],
    ] as const) {
      const { report, describe } = await walk(seed, steps);
      expect(report.violations, describe()).toEqual([]);
    }
  }, 120_000);
});
