import { UnitSyncReport } from '@keyway/protocol';
import {
  type Check,
  type Ctx,
  describe,
  fail,
  type Outcome,
  pass,
  report,
} from '../context';

/** A view a Keyway server would send this unit: its config, its space, one member. */
export function kitView(ctx: Ctx, memberId = 'mem_kit1') {
  const space = 'sp_kit';
  const relays = ctx.facts.relays ?? 1;
  return {
    [`${space}/unit.config/${ctx.unitId}`]: {
      unitId: ctx.unitId,
      spaceId: space,
      doors: Array.from({ length: relays }, (_, i) => ({
        doorId: `door_kit${i + 1}`,
        relay: i + 1,
        pulseMs: 200,
        sensor: true,
      })),
    },
    [`${space}/unit.space/${space}`]: {
      spaceId: space,
      timezone: 'Europe/Madrid',
      lockdown: false,
    },
    [`${space}/unit.access/${memberId}`]: {
      memberId,
      userId: 'usr_kit1',
      relays: [1],
      access: null,
    },
  };
}

export function change(cursor: string, memberId: string) {
  return {
    type: 'change',
    cursor,
    at: new Date().toISOString(),
    ops: [
      {
        op: 'put',
        key: `sp_kit/unit.access/${memberId}`,
        value: {
          memberId,
          userId: `usr_${memberId}`,
          relays: [1],
          access: null,
        },
      },
    ],
  };
}

/** Sends one sync message and expects `applied` with `cursor`, at QoS 0 or 1. */
export async function expectApplied(
  ctx: Ctx,
  message: unknown,
  cursor: string,
): Promise<Outcome> {
  const { wire, opts } = ctx;
  const from = wire.mark;
  await wire.publish('sync', message);
  const got = await wire.waitFor(
    (h) => h.kind === 'applied',
    opts.timeoutMs,
    from,
  );
  if (!got) return fail(`no applied report within ${opts.timeoutMs} ms`);
  const parsed = UnitSyncReport.safeParse(got.json);
  if (
    !parsed.success ||
    parsed.data.type !== 'applied' ||
    parsed.data.cursor !== cursor
  )
    return fail(`expected applied ${cursor}, got ${describe(got)}`);
  return pass();
}

/** §10.2: the resume after the connect at `facts.connectMark`, naming `cursor`. */
export async function expectResume(
  ctx: Ctx,
  cursor: string | null | undefined,
): Promise<Outcome> {
  const { wire, facts, opts } = ctx;
  const got = await wire.waitFor(
    report('resume'),
    opts.timeoutMs,
    facts.connectMark,
  );
  if (!got) return fail('no resume on applied after the connect');
  const parsed = UnitSyncReport.safeParse(got.json);
  if (!parsed.success) return fail(`invalid: ${got.text}`);
  if (got.qos !== 1) return fail(`resume at QoS ${got.qos}, not 1`);
  if (cursor !== undefined && parsed.data.cursor !== cursor)
    return fail(
      `resume ${JSON.stringify(parsed.data.cursor)}, expected ${JSON.stringify(cursor)}`,
    );
  return pass(`cursor ${JSON.stringify(parsed.data.cursor)}`);
}

const c = (ctx: Ctx, epoch: string, n: number) =>
  `${ctx.facts.epoch}${epoch}.${n}`;

export const syncChecks: Check[] = [
  {
    section: '§10.2',
    rule: 'resume at QoS 1 after the connect (null with no stored state)',
    run: (ctx) => expectResume(ctx, ctx.freshState ? null : undefined),
  },
  {
    section: '§10.3',
    rule: 'snapshot: replaces the view, reported applied with its cursor',
    async run(ctx) {
      const cursor = c(ctx, 'a', 5);
      const out = await expectApplied(
        ctx,
        { type: 'snapshot', cursor, view: kitView(ctx) },
        cursor,
      );
      if (out.status === 'pass') ctx.facts.cursor = cursor;
      return out;
    },
  },
];

export const changeChecks: Check[] = [
  {
    section: '§10.3',
    rule: 'change: applied in order, reported applied with its cursor',
    async run(ctx) {
      const cursor = c(ctx, 'a', 9);
      const out = await expectApplied(ctx, change(cursor, 'mem_kit2'), cursor);
      if (out.status === 'pass') ctx.facts.cursor = cursor;
      return out;
    },
  },
  {
    section: '§10.3',
    rule: 'replay: a change at or below the cursor (same epoch) is reported, not applied',
    async run(ctx) {
      const replayed = c(ctx, 'a', 7);
      const out = await expectApplied(
        ctx,
        change(replayed, 'mem_kit3'),
        replayed,
      );
      // Whether the view stayed alone shows in the next resume: still at the newer cursor.
      return out.status === 'pass'
        ? pass('the next resume must still name the newer cursor')
        : out;
    },
  },
  {
    section: '§10.3',
    rule: 'heartbeat, error and invalid sync payloads are ignored, not reported',
    async run(ctx) {
      const { wire, opts } = ctx;
      const from = wire.mark;
      await wire.publish('sync', {
        type: 'heartbeat',
        cursor: ctx.facts.cursor,
        at: new Date().toISOString(),
      });
      await wire.publish('sync', { type: 'change', cursor: c(ctx, 'a', 20) });
      await wire.publish('sync', 'not json');
      const got = await wire.collect(
        (h) => h.kind === 'applied',
        opts.quietMs,
        from,
      );
      return got.length
        ? fail(`reported: ${got.map((h) => h.text).join(' ')}`)
        : pass();
    },
  },
];

export const epochCheck: Check = {
  section: '§10.3',
  rule: 'epoch change: a snapshot of a new epoch replaces; its changes apply with any n',
  async run(ctx) {
    const snap = c(ctx, 'b', 3);
    const a = await expectApplied(
      ctx,
      { type: 'snapshot', cursor: snap, view: kitView(ctx, 'mem_kit9') },
      snap,
    );
    if (a.status !== 'pass') return fail(`snapshot ${snap}: ${a.detail}`);
    ctx.facts.cursor = snap;
    const next = c(ctx, 'b', 4);
    const b = await expectApplied(ctx, change(next, 'mem_kit10'), next);
    if (b.status !== 'pass') return fail(`change ${next}: ${b.detail}`);
    ctx.facts.cursor = next;
    return pass();
  },
};
