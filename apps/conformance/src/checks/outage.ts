import {
  ackOf,
  type Check,
  type Ctx,
  doorEvent,
  fail,
  na,
  openCommand,
  pass,
} from '../context';
import { nextConnect, offline, reconnectMs } from './reconnect';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An outage: with the disposable broker, a door is set moving (pulsed, so it closes while the
 * unit is cut off), the connection is cut without a DISCONNECT, and the unit's logins are
 * refused as bad credentials for a while. Without it, the unit is restarted instead.
 */
async function cutOff(ctx: Ctx): Promise<string | null> {
  const { wire, broker, unit, opts, facts } = ctx;
  const from = wire.mark;
  if (!broker) {
    if (!unit.crashAndRestart)
      return 'needs the disposable broker, --unit-cmd or --restart-cmd';
    await unit.crashAndRestart();
    facts.outage = { droppedAt: Date.now(), doorOpen: false };
    return null;
  }
  let doorOpen = false;
  if (facts.pulseVisible) {
    const cmd = openCommand(ctx, { relay: facts.pulseRelay });
    await wire.publish('commands', cmd);
    doorOpen = Boolean(
      await wire.waitFor(
        doorEvent(facts.pulseRelay, 'open'),
        opts.timeoutMs,
        from,
      ),
    );
    await wire.waitFor(ackOf(cmd.id), opts.timeoutMs, from);
  }
  broker.refuseLogins = true;
  broker.dropUnit();
  facts.outage = { droppedAt: Date.now(), doorOpen };
  // Long enough for the door to close while the unit is cut off, and for a few refused logins.
  await sleep(Math.max(facts.closeMs * 2, 600) + 400);
  broker.refuseLogins = false;
  return null;
}

export const outageChecks: Check[] = [
  {
    section: '§4.1',
    rule: 'a dropped connection: the broker publishes the will {"online":false}',
    async run(ctx) {
      const { wire, broker, opts } = ctx;
      const from = wire.mark;
      const cannot = await cutOff(ctx);
      if (cannot) return na(cannot);
      const will = await wire.waitFor(offline, opts.timeoutMs, from);
      // A restarted unit boots first: as long as the first connect may take.
      const back = broker ? reconnectMs(ctx) : opts.connectTimeoutMs;
      const online = await nextConnect(ctx, from, back);
      if (!will) return fail('no {"online":false} after the drop');
      if (!online) return fail('the unit did not come back online (§8)');
      return pass();
    },
  },
  {
    section: '§2',
    rule: 'refused with CONNACK 4 (bad credentials): keeps retrying, gets in',
    async run({ broker }) {
      if (!broker) return na('only the disposable broker refuses logins');
      if (broker.badRefused === 0)
        return fail('the unit did not try to log in while it was refused');
      return pass(`${broker.badRefused} refused, then in`);
    },
  },
  {
    section: '§6',
    rule: 'an event from while it was cut off is sent after the reconnect, before the boot state',
    async run({ wire, facts, opts }) {
      const outage = facts.outage;
      if (!outage?.doorOpen)
        return na(
          'no door was seen moving into the outage (pulses not visible)',
        );
      const online = wire.heard[facts.connectMark];
      if (!online) return fail('no reconnect');
      const closed = doorEvent(facts.pulseRelay, 'closed');
      await wire.waitFor(closed, opts.timeoutMs, online.seq);
      const events = await wire.collect(closed, opts.quietMs, online.seq);
      // Its `at` is when the door shut (during the outage); the boot report's is the reconnect.
      const kept = events.find((h) => {
        const at = Date.parse((h.json as { at: string }).at);
        return at >= outage.droppedAt - 1000 && at < online.at - 200;
      });
      if (!kept)
        return fail(
          `no door ${facts.pulseRelay} "closed" with the time it shut: ${events.map((h) => h.text).join(' ') || 'none'}`,
        );
      const boot = events.find((h) => h !== kept);
      if (boot && boot.seq < kept.seq)
        return fail('sent after the boot state (§7: step 3 before step 6)');
      return pass();
    },
  },
];
