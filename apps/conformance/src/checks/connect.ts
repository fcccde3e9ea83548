import { UnitStatus } from '@keyway/protocol';
import {
  ackOf,
  type Check,
  describe,
  fail,
  na,
  pass,
  report,
  statusOnline,
} from '../context';

const needBroker = na(
  'only the disposable broker sees CONNECT and SUBSCRIBE packets (run without --url)',
);

/** §2: the CONNECT of the first connection, as the broker saw it. */
export const connectChecks: Check[] = [
  {
    section: '§2',
    rule: 'refused with CONNACK 3 while the server starts: keeps retrying, gets in',
    async run({ broker }) {
      if (!broker) return needBroker;
      if (broker.refused === 0) return fail('the unit never tried to log in');
      return broker.connects.length > 0
        ? pass(`${broker.refused} refused, then in`)
        : fail('the unit did not get in after the refusal');
    },
  },
  {
    section: '§2',
    rule: 'CONNECT: client id unit-{unitId}, clean session, MQTT 3.1.1, keep alive 15 s',
    async run({ broker, unitId }) {
      const c = broker?.connects[0];
      if (!broker) return needBroker;
      if (!c) return fail('the broker saw no connection');
      const problems = [];
      if (c.clientId !== `unit-${unitId}`)
        problems.push(`client id ${c.clientId}`);
      if (!c.clean) problems.push('clean session false');
      if (c.protocolVersion !== 4)
        problems.push(`protocol level ${c.protocolVersion}`);
      if (c.keepalive !== 15) problems.push(`keep alive ${c.keepalive} s`);
      return problems.length ? fail(problems.join(', ')) : pass();
    },
  },
  {
    section: '§2',
    rule: 'last will: status {"online":false}, QoS 1, retained',
    async run({ broker, wire }) {
      if (!broker) return needBroker;
      const will = broker.connects[0]?.will;
      if (!will) return fail('CONNECT carries no will');
      const problems = [];
      if (will.topic !== wire.topics.status)
        problems.push(`topic ${will.topic}`);
      let payload: unknown;
      try {
        payload = JSON.parse(will.payload);
      } catch {
        payload = will.payload;
      }
      const parsed = UnitStatus.safeParse(payload);
      if (!parsed.success || parsed.data.online !== false)
        problems.push(`payload ${will.payload}`);
      if (will.qos !== 1) problems.push(`QoS ${will.qos}`);
      if (!will.retain) problems.push('not retained');
      return problems.length ? fail(problems.join(', ')) : pass();
    },
  },
  {
    section: '§3',
    rule: 'subscribes to its commands and sync at QoS 1, before announcing online',
    async run({ broker, wire, facts, opts }) {
      if (!broker) return needBroker;
      // The broker logs a publish once it has delivered it: wait until the resume arrived.
      await wire.waitFor(report('resume'), opts.timeoutMs, facts.connectMark);
      await new Promise((r) => setTimeout(r, 50));
      const order = broker.connects[0]?.order ?? [];
      const online = order.indexOf(`publish:${wire.topics.status}`);
      const problems = [];
      for (const topic of [wire.topics.commands, wire.topics.sync]) {
        const at = order.indexOf(`subscribe:${topic}@1`);
        if (at < 0) problems.push(`no QoS 1 subscription to ${topic}`);
        else if (online >= 0 && at > online)
          problems.push(`subscribed to ${topic} after its status`);
      }
      if (online < 0) problems.push('no status published');
      return problems.length
        ? fail(`${problems.join('; ')} (order: ${order.join(', ')})`)
        : pass();
    },
  },
  {
    section: '§7',
    rule: 'a command sent the instant online is heard is answered (subscribed first)',
    async run({ wire, facts, opts }) {
      if (!facts.probeId) return fail('no status online heard');
      const ack = await wire.waitFor(ackOf(facts.probeId), opts.timeoutMs);
      return ack ? pass() : fail(`no ack for the probe ${facts.probeId}`);
    },
  },
  {
    section: '§4.1',
    rule: 'status online: QoS 1, retained, valid, with relays 1-4',
    async run({ wire, facts }) {
      const h = wire.heard[facts.connectMark];
      if (!h || !statusOnline(h)) return fail('no status online heard');
      const parsed = UnitStatus.safeParse(h.json);
      const problems = [];
      if (!parsed.success)
        problems.push(`invalid: ${parsed.error.issues[0]?.message}`);
      if (h.qos !== 1) problems.push(`QoS ${h.qos}`);
      if (typeof parsed.data?.relays !== 'number')
        problems.push('no relays count');
      const retained = await wire.retainedStatus();
      if ((retained?.json as { online?: unknown })?.online !== true)
        problems.push(`retained status is ${JSON.stringify(retained?.json)}`);
      return problems.length
        ? fail(`${problems.join(', ')} (${describe(h)})`)
        : pass(`relays ${parsed.data?.relays}`);
    },
  },
];
