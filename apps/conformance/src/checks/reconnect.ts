import { UnitStatus } from '@keyway/protocol';
import {
  type Check,
  type Ctx,
  fail,
  na,
  pass,
  report,
  statusOnline,
} from '../context';
import { bootState } from './events';
import { expectResume } from './sync';

export const offline = (h: { kind: string; json: unknown }) =>
  h.kind === 'status' && (h.json as { online?: unknown })?.online === false;

/** Waits for the next connect (status online after `from`) and makes it the current one. */
export async function nextConnect(ctx: Ctx, from: number, timeoutMs: number) {
  const online = await ctx.wire.waitFor(statusOnline, timeoutMs, from);
  if (online) ctx.facts.connectMark = online.seq;
  return online;
}

/** The reconnect timeout: the first retry waits up to 500 ms (§8), plus starting a process. */
export const reconnectMs = (ctx: Ctx) => ctx.opts.timeoutMs + 2_000;

export const reconnectChecks: Check[] = [
  {
    section: '§7',
    rule: 'after a reconnect: subscribed again before online, then resume',
    async run(ctx) {
      const { broker, wire, opts } = ctx;
      // The broker logs a publish once it has delivered it: wait until the resume arrived.
      await wire.waitFor(
        report('resume'),
        opts.timeoutMs,
        ctx.facts.connectMark,
      );
      await new Promise((r) => setTimeout(r, 50));
      if (broker) {
        const order = broker.connects.at(-1)?.order ?? [];
        const online = order.indexOf(`publish:${wire.topics.status}`);
        const sub = order.indexOf(`subscribe:${wire.topics.commands}@1`);
        const resume = order.indexOf(`publish:${wire.topics.applied}`);
        if (broker.connects.length < 2)
          return fail('the broker saw no reconnect');
        if (sub < 0 || online < 0 || sub > online || resume < online)
          return fail(`order: ${order.join(', ')}`);
      }
      const status = UnitStatus.safeParse(
        wire.heard[ctx.facts.connectMark]?.json,
      );
      return status.success ? pass() : fail('no valid status online');
    },
  },
  {
    section: '§10.2',
    rule: 'resume after a reconnect names the last cursor applied (a replay did not move it)',
    run: (ctx) => expectResume(ctx, ctx.facts.cursor),
  },
  {
    section: '§4.4',
    rule: 'boot state again after the reconnect, the same relays',
    run: bootState,
  },
];

export const storageCheck: Check = {
  section: '§10.4',
  rule: 'stored before applied: killed right after applied, it resumes from that cursor',
  async run(ctx) {
    const { unit, wire } = ctx;
    if (!unit.crashAndRestart)
      return na('needs --unit-cmd (the kit starts the unit) or --restart-cmd');
    const from = wire.mark;
    await unit.crashAndRestart();
    // A restarted unit boots first: as long as the first connect may take.
    const online = await nextConnect(ctx, from, ctx.opts.connectTimeoutMs);
    if (!online) return fail('the unit did not come back after the restart');
    return expectResume(ctx, ctx.facts.cursor);
  },
};

export const shutdownCheck: Check = {
  section: '§7',
  rule: 'clean shutdown: status {"online":false, at} retained, then DISCONNECT',
  async run(ctx) {
    const { unit, wire, opts } = ctx;
    if (!unit.stop)
      return na('needs --unit-cmd: the kit stops the unit it started');
    const from = wire.mark;
    await unit.stop();
    const bye = await wire.waitFor(offline, opts.timeoutMs, from);
    const parsed = UnitStatus.safeParse(bye?.json);
    if (!bye || !parsed.success)
      return fail('no status {"online":false} heard');
    if (!parsed.data.at)
      return fail(`no at: the will, not a clean shutdown (${bye.text})`);
    const retained = await wire.retainedStatus();
    if ((retained?.json as { online?: unknown })?.online !== false)
      return fail(`retained status is ${JSON.stringify(retained?.json)}`);
    return pass();
  },
};
