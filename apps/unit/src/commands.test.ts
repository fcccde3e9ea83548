import { describe, expect, it } from 'vitest';
import { judgeCommand } from './commands';
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
