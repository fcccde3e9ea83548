import type { Access } from '@keyway/protocol';
import {
  type AccessInput,
  type Decision,
  type DenialReason,
  decideAt,
  nextChange,
} from '@keyway/rules';

/** What the rules need to know about a space to decide its members' access (no geofence: time only). */
export interface AccessWorld {
  timezone: string;
  lockdown: boolean;
  groups: readonly {
    id: string;
    doorIds: readonly string[];
    geofenceMeters: number | null;
  }[];
  members: readonly {
    id: string;
    groupIds: readonly string[];
    access: Access | null;
    geofenceMeters: number | null;
  }[];
}
export type WorldMember = AccessWorld['members'][number];

export type Verdict =
  | Decision
  | { allowed: false; reason: DenialReason | 'door_locked_down' };

/** The rules package's input for one member and one door: her groups that include the door. */
export function inputFor(
  world: AccessWorld,
  member: WorldMember | undefined,
  doorId: string,
): AccessInput {
  const groups = member
    ? world.groups.filter(
        (g) => member.groupIds.includes(g.id) && g.doorIds.includes(doorId),
      )
    : [];
  return {
    timezone: world.timezone,
    member: member
      ? { access: member.access, geofenceMeters: member.geofenceMeters }
      : null,
    groups,
    space: {},
  };
}

/** decideAt, plus the space's lockdown (which the server applies before the rules). */
export function verdict(
  world: AccessWorld,
  member: WorldMember | undefined,
  doorId: string,
  at: Date,
): Verdict {
  const d = decideAt(inputFor(world, member, doorId), at);
  if (d.allowed && world.lockdown)
    return { allowed: false, reason: 'door_locked_down' };
  return d;
}

export interface PairChange {
  memberId: string;
  doorId: string;
  direction: 'gain' | 'lose';
  /** The first instant at which the answer differs between before and after. */
  from: Date;
}

const HORIZON_MS = 14 * 86_400_000;

/**
 * The first instant in [now, now + horizon] at which the edit gives access the old rules did not
 * (gain), and the first at which it takes away access they gave (lose). Both answers are constant
 * between their nextChange instants, so walking the merged change points is exact.
 */
export function differences(
  before: AccessInput,
  after: AccessInput,
  now: Date,
  horizonMs = HORIZON_MS,
): Partial<Record<PairChange['direction'], Date>> {
  const out: Partial<Record<PairChange['direction'], Date>> = {};
  const end = now.getTime() + horizonMs;
  let t = now;
  for (let i = 0; i < 10_000 && !(out.gain && out.lose); i++) {
    const a = decideAt(before, t).allowed;
    const b = decideAt(after, t).allowed;
    if (a !== b) out[b ? 'gain' : 'lose'] ??= t;
    const next = [nextChange(before, t), nextChange(after, t)]
      .filter((d): d is Date => d !== null)
      .sort((x, y) => x.getTime() - y.getTime())[0];
    if (!next || next.getTime() > end) break;
    t = next;
  }
  return out;
}

/** Every member × door whose access an edit changes (within two weeks), and from when. */
export function previewChanges(
  before: AccessWorld,
  after: AccessWorld,
  doorIds: readonly string[],
  now: Date,
): PairChange[] {
  const ids = new Set([
    ...before.members.map((m) => m.id),
    ...after.members.map((m) => m.id),
  ]);
  const out: PairChange[] = [];
  for (const memberId of ids) {
    const mb = before.members.find((m) => m.id === memberId);
    const ma = after.members.find((m) => m.id === memberId);
    for (const doorId of doorIds) {
      const ib = inputFor(before, mb, doorId);
      const ia = inputFor(after, ma, doorId);
      if (JSON.stringify(ib) === JSON.stringify(ia)) continue; // same input, same answers
      const diff = differences(ib, ia, now);
      for (const direction of ['lose', 'gain'] as const) {
        const from = diff[direction];
        if (from) out.push({ memberId, doorId, direction, from });
      }
    }
  }
  return out.sort((a, b) => a.from.getTime() - b.from.getTime());
}

export interface PreviewSummary {
  direction: 'gain' | 'lose';
  members: number;
  doors: number;
  from: Date;
}

/** "Removes access for 12 members on 3 doors from tonight 22:00": one line per direction. */
export function summarize(changes: readonly PairChange[]): PreviewSummary[] {
  const out: PreviewSummary[] = [];
  for (const direction of ['lose', 'gain'] as const) {
    const mine = changes.filter((c) => c.direction === direction);
    if (!mine.length) continue;
    out.push({
      direction,
      members: new Set(mine.map((c) => c.memberId)).size,
      doors: new Set(mine.map((c) => c.doorId)).size,
      from: mine[0]!.from,
    });
  }
  return out;
}
