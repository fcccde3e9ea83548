import { UnitAck } from '@keyway/protocol';
import {
  ackOf,
  type Check,
  type Ctx,
  describe,
  doorEvent,
  fail,
  isAck,
  na,
  newId,
  type Outcome,
  openCommand,
  pass,
} from '../context';

/** Sends a command and waits for its one ack; checks topic, QoS, schema and result. */
async function expectAck(
  ctx: Ctx,
  cmd: { id: unknown } & Record<string, unknown>,
  result: string,
  topicKind = 'acks',
): Promise<Outcome & { at?: number }> {
  const { wire, opts } = ctx;
  const from = wire.mark;
  await wire.publish('commands', cmd);
  const ack = await wire.waitFor(ackOf(String(cmd.id)), opts.timeoutMs, from);
  if (!ack) return fail(`no ack within ${opts.timeoutMs} ms`);
  const parsed = UnitAck.safeParse(ack.json);
  const problems = [];
  if (!parsed.success)
    problems.push(`invalid ack: ${parsed.error.issues[0]?.message}`);
  else if (parsed.data.result !== result)
    problems.push(`result ${parsed.data.result}, expected ${result}`);
  if (ack.kind !== topicKind) problems.push(`on ${ack.kind}, not ${topicKind}`);
  if (ack.qos !== 1) problems.push(`QoS ${ack.qos}`);
  return problems.length
    ? fail(`${problems.join(', ')} (${describe(ack)})`)
    : { ...pass(), at: ack.at };
}

/** No door `open` on the pulse relay within the quiet window: the relay was left alone. */
async function noPulse(ctx: Ctx, from: number): Promise<string | null> {
  const { facts, wire, opts } = ctx;
  if (!facts.pulseVisible) return null;
  const opened = await wire.waitFor(
    doorEvent(facts.pulseRelay, 'open'),
    opts.quietMs,
    from,
  );
  return opened ? `the door opened: ${describe(opened)}` : null;
}

const pulseNote = (ctx: Ctx) =>
  ctx.facts.pulseVisible
    ? ''
    : ' (pulses are not visible as door events: relay not watched)';

export const ackChecks: Check[] = [
  {
    section: '§4.3',
    rule: 'opened: a valid command is acked opened, once the relay is energised',
    async run(ctx) {
      const { wire, facts, opts } = ctx;
      const relay = facts.pulseRelay;
      const from = wire.mark;
      const cmd = openCommand(ctx, { relay, pulseMs: 200 });
      const out = await expectAck(ctx, cmd, 'opened');
      if (out.status !== 'pass') return out;
      facts.openedId = cmd.id;
      // The door events of this pulse (a unit with a sensor on that relay, or a simulated one).
      const open = await wire.waitFor(
        doorEvent(relay, 'open'),
        opts.timeoutMs,
        from,
      );
      const closed =
        open &&
        (await wire.waitFor(
          doorEvent(relay, 'closed'),
          opts.timeoutMs * 3,
          open.seq,
        ));
      facts.pulseVisible = Boolean(open && closed);
      if (open && closed) facts.closeMs = closed.at - open.at;
      return pass(
        facts.pulseVisible
          ? `door ${relay} opened and closed`
          : `no door open+closed events on relay ${relay}: the no-pulse rules below cannot be seen`,
      );
    },
  },
  {
    section: '§4.3',
    rule: 'ackTopic one level below acks: the ack goes there',
    async run(ctx) {
      const cmd = openCommand(ctx, {
        relay: ctx.facts.pulseRelay,
        ackTopic: `${ctx.wire.topics.acks}/kit-node`,
      });
      const out = await expectAck(ctx, cmd, 'opened', 'acks/kit-node');
      // Let that door close again before the no-pulse checks.
      if (ctx.facts.pulseVisible)
        await ctx.wire.waitFor(
          doorEvent(ctx.facts.pulseRelay, 'closed'),
          ctx.opts.timeoutMs * 3,
          ctx.wire.mark - 1,
        );
      return out;
    },
  },
  {
    section: '§5.2',
    rule: 'duplicate: an id already executed is acked duplicate and never pulses again',
    async run(ctx) {
      const { facts, wire } = ctx;
      if (!facts.openedId) return fail('no command was opened to repeat');
      const original = {
        ...openCommand(ctx),
        id: facts.openedId,
        relay: facts.pulseRelay,
      };
      facts.sent[facts.sent.length - 1] = facts.openedId;
      const from = wire.mark;
      const out = await expectAck(ctx, original, 'duplicate');
      if (out.status !== 'pass') return out;
      const moved = await noPulse(ctx, from);
      return moved ? fail(moved) : pass(pulseNote(ctx).trim() || undefined);
    },
  },
  {
    section: '§5.1',
    rule: 'expired: expiresAt in the past is acked expired and never pulses',
    async run(ctx) {
      const from = ctx.wire.mark;
      const cmd = openCommand(ctx, { relay: ctx.facts.pulseRelay }, -2_000);
      const out = await expectAck(ctx, cmd, 'expired');
      const moved = await noPulse(ctx, from);
      if (moved) return fail(moved);
      return out.status === 'pass'
        ? pass(pulseNote(ctx).trim() || undefined)
        : out;
    },
  },
  {
    section: '§4.3',
    rule: 'failed: a relay above the announced count is acked failed',
    async run(ctx) {
      const relays = ctx.facts.relays;
      if (relays === null) return fail('the unit announced no relays count');
      if (relays >= 4)
        return na('the unit announced 4 relays: no relay 1-4 is unwired');
      return expectAck(ctx, openCommand(ctx, { relay: relays + 1 }), 'failed');
    },
  },
  {
    section: '§4.3',
    rule: 'invalid: an unknown type or a bad field with a readable id is acked invalid',
    async run(ctx) {
      const unknown = { type: 'reboot', id: newId() };
      const badRelay = { ...openCommand(ctx), relay: 9 };
      ctx.facts.sent.push(unknown.id);
      const a = await expectAck(ctx, unknown, 'invalid');
      if (a.status !== 'pass') return fail(`unknown type: ${a.detail}`);
      const b = await expectAck(ctx, badRelay, 'invalid');
      return b.status === 'pass' ? pass() : fail(`relay 9: ${b.detail}`);
    },
  },
  {
    section: '§4.3',
    rule: 'no ack for a payload without a readable id (not JSON, no id)',
    async run(ctx) {
      const { wire, opts } = ctx;
      const from = wire.mark;
      await wire.publish('commands', 'not json {');
      await wire.publish('commands', { type: 'open', relay: 1 });
      await wire.publish('commands', { type: 'open', id: 'x'.repeat(65) });
      const acks = await wire.collect(
        (h) => h.kind === 'acks' || h.kind.startsWith('acks/'),
        opts.quietMs,
        from,
      );
      return acks.length
        ? fail(`acked: ${acks.map((h) => h.text).join(' ')}`)
        : pass();
    },
  },
];

/** §5.3, last: every command the kit sent was acked exactly once over the whole run. */
export const oneAckEach: Check = {
  section: '§5.3',
  rule: 'exactly one ack per identifiable command, over the whole run',
  async run({ wire, facts, opts }) {
    await new Promise((r) => setTimeout(r, opts.quietMs));
    // A redelivery after a reconnect (§6, at-least-once) repeats the same payload: counted once.
    const distinct = new Map<string, Set<string>>();
    for (const h of wire.heard) {
      const id = (h.json as { commandId?: unknown })?.commandId;
      if (isAck(h) && typeof id === 'string')
        distinct.set(id, (distinct.get(id) ?? new Set()).add(h.text));
    }
    const counts = new Map([...distinct].map(([id, set]) => [id, set.size]));
    // The duplicate check resends an opened id on purpose: that id gets two acks.
    const expected = new Map<string, number>();
    for (const id of facts.sent) expected.set(id, (expected.get(id) ?? 0) + 1);
    const wrong = [...expected].filter(
      ([id, n]) => (counts.get(id) ?? 0) !== n,
    );
    return wrong.length
      ? fail(
          wrong
            .map(
              ([id, n]) => `${id}: ${counts.get(id) ?? 0} acks for ${n} sends`,
            )
            .join('; '),
        )
      : pass(`${expected.size} commands`);
  },
};
