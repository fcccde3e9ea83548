import { DoorSensorEvent, PositionEvent } from '@keyway/protocol';
import {
  type Check,
  type Ctx,
  doorEvent,
  fail,
  na,
  type Outcome,
  pass,
} from '../context';

/**
 * §4.4 / §7 step 6: after the connect at `facts.connectMark`, one door event per relay with a
 * sensor, each valid, with `at` = about now, and the same relays after every connect.
 */
export async function bootState(ctx: Ctx): Promise<Outcome> {
  const { wire, facts, opts } = ctx;
  const from = facts.connectMark;
  const connectedAt = wire.heard[from]?.at ?? Date.now();
  await wire.waitFor(doorEvent(), opts.timeoutMs, from);
  const outage = facts.outage;
  // Events kept from an outage (§6) carry the time they happened, before this connect.
  const replayed = (at: number) =>
    outage !== null && at >= outage.droppedAt - 1000 && at < connectedAt - 200;
  const events = (await wire.collect(doorEvent(), opts.quietMs, from)).filter(
    (h) => !replayed(Date.parse((h.json as { at?: string }).at ?? '')),
  );
  if (events.length === 0)
    return fail('no door event after connect (the boot state, §4.4)');
  const problems = [];
  const relays = new Map<number, number>();
  for (const h of events) {
    const parsed = DoorSensorEvent.safeParse(h.json);
    if (!parsed.success) {
      problems.push(`invalid ${h.text}`);
      continue;
    }
    if (h.qos !== 1) problems.push(`QoS ${h.qos}`);
    const at = Date.parse(parsed.data.at);
    if (Math.abs(at - connectedAt) > 10_000)
      problems.push(`at ${parsed.data.at} is not now`);
    relays.set(parsed.data.relay, (relays.get(parsed.data.relay) ?? 0) + 1);
  }
  const twice = [...relays].filter(([, n]) => n > 1).map(([r]) => r);
  if (twice.length) problems.push(`relays ${twice.join(', ')} reported twice`);
  const seen = [...relays.keys()].sort();
  const expected = opts.sensors ?? facts.bootRelays;
  if (expected && seen.join(',') !== [...expected].sort().join(','))
    problems.push(`relays ${seen.join(',')}, expected ${expected.join(',')}`);
  if (facts.relays !== null && seen.some((r) => r > (facts.relays ?? 4)))
    problems.push(`a relay above the ${facts.relays} announced`);
  facts.bootRelays ??= seen;
  return problems.length
    ? fail(problems.join('; '))
    : pass(`relays ${seen.join(', ')}`);
}

export const bootCheck: Check = {
  section: '§4.4',
  rule: 'boot state: one door event per sensor relay after the connect',
  run: bootState,
};

export const positionCheck: Check = {
  section: '§4.4',
  rule: 'position: one event after the connect when the unit knows where it is',
  async run({ wire, facts, opts }) {
    const status = wire.heard[facts.connectMark]?.json as {
      location?: unknown;
    };
    if (!status?.location)
      return na(
        'the status carries no location: a unit that knows none sends none',
      );
    const got = await wire.waitFor(
      (h) =>
        h.kind === 'events' &&
        (h.json as { type?: unknown })?.type === 'position',
      opts.timeoutMs,
      facts.connectMark,
    );
    if (!got) return fail('no position event after the connect');
    const parsed = PositionEvent.safeParse(got.json);
    return parsed.success ? pass() : fail(`invalid: ${got.text}`);
  },
};
