import { describe, expect, it } from 'vitest';
import { ackTopicFor, judgeCommand } from './commands';
import { ExecutedCommands } from './dedupe';
import { openCommand } from './testing/server';

const T0 = Date.parse('2030-06-01T18:00:00Z');
const judge = (
  payload: unknown,
  now: number,
  executed = new ExecutedCommands(),
) =>
  judgeCommand(
    typeof payload === 'string' ? payload : JSON.stringify(payload),
    { now, relays: 2, executed },
  );

describe('judgeCommand', () => {
  it('acts until the last millisecond before expiresAt, and never from expiresAt on', () => {
    const command = openCommand({}, T0, 5000);
    expect(judge(command, T0 + 4999).kind).toBe('open');
    expect(judge(command, T0 + 5000)).toMatchObject({
      kind: 'refuse',
      ack: { result: 'expired' },
    });
  });

  it('calls an executed id a duplicate, even after it expired', () => {
    const executed = new ExecutedCommands();
    const command = openCommand({}, T0, 5000);
    executed.add(command.id, T0 + 5000, T0);
    expect(judge(command, T0 + 1, executed)).toMatchObject({
      kind: 'refuse',
      ack: { result: 'duplicate' },
    });
    expect(judge(command, T0 + 9000, executed)).toMatchObject({
      kind: 'refuse',
      ack: { result: 'duplicate' },
    });
  });

  it('says invalid with the id when one is readable, and drops the rest', () => {
    expect(judge({ id: 'abc', type: 'open' }, T0)).toMatchObject({
      kind: 'refuse',
      ack: {
        commandId: 'abc',
        result: 'invalid',
        at: '2030-06-01T18:00:00.000Z',
      },
    });
    expect(judge({ ...openCommand({}, T0), type: 'reboot' }, T0)).toMatchObject(
      {
        ack: { result: 'invalid' },
      },
    );
    expect(judge('{', T0).kind).toBe('drop');
    expect(judge({ id: 42 }, T0).kind).toBe('drop');
    expect(judge({ id: 'x'.repeat(65) }, T0).kind).toBe('drop');
  });

  it('fails a relay beyond the wired ones', () => {
    expect(judge(openCommand({ relay: 3 }, T0), T0)).toMatchObject({
      kind: 'refuse',
      ack: { result: 'failed' },
    });
  });
});

describe('ackTopicFor (issue 17: acks routed to the server node that asked)', () => {
  const acks = 'keyway/v1/units/unit_1/acks';
  it('takes one level below its own acks topic', () => {
    expect(ackTopicFor(acks, `${acks}/node_a`)).toBe(`${acks}/node_a`);
  });
  it('falls back to acks for anything else', () => {
    for (const requested of [
      undefined,
      acks,
      `${acks}/`,
      `${acks}/a/b`,
      `${acks}/+`,
      `${acks}/#`,
      'keyway/v1/units/unit_2/acks/node_a',
      `${acks}x/node_a`,
    ])
      expect(ackTopicFor(acks, requested)).toBe(acks);
  });
  it('keeps the ackTopic of a refused command', () => {
    const command = { ...openCommand({}, T0, 5000), ackTopic: `${acks}/n` };
    expect(judge(command, T0 + 5000)).toMatchObject({
      kind: 'refuse',
      ackTopic: `${acks}/n`,
    });
    expect(
      judge({ id: 'cmd_12345678', ackTopic: `${acks}/n` }, T0),
    ).toMatchObject({
      kind: 'refuse',
      ack: { result: 'invalid' },
      ackTopic: `${acks}/n`,
    });
  });
});
