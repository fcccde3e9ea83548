import type { UnitAck } from '@keyway/protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import { LateAcks } from './late-acks';

const opened = (commandId: string): UnitAck => ({
  commandId,
  result: 'opened',
  at: '2027-01-05T11:00:06.000Z',
});

describe('timed-out commands remembered for their late acks', () => {
  it('delivers a late ack once, whether it comes before or after the listener', () => {
    const late = new LateAcks({
      clock: new ManualClock(0),
      keepMs: 1000,
      max: 10,
    });
    const heard: string[] = [];
    const a = late.remember('cmd_a', 'unit_1');
    a((ack) => heard.push(ack.commandId));
    expect(late.heard('unit_1', opened('cmd_a'))).toBe(true);
    expect(late.heard('unit_1', opened('cmd_a'))).toBe(false); // a redelivery
    const b = late.remember('cmd_b', 'unit_1');
    expect(late.heard('unit_2', opened('cmd_b'))).toBe(false); // another unit's
    expect(late.heard('unit_1', opened('cmd_b'))).toBe(true);
    b((ack) => heard.push(ack.commandId));
    expect(heard).toEqual(['cmd_a', 'cmd_b']);
  });

  it('forgets them after keepMs and beyond max, oldest first', () => {
    const clock = new ManualClock(0);
    const late = new LateAcks({ clock, keepMs: 1000, max: 2 });
    late.remember('cmd_1', 'u');
    clock.advance(600);
    late.remember('cmd_2', 'u');
    clock.advance(600); // cmd_1 is 1200 ms old
    expect(late.heard('u', opened('cmd_1'))).toBe(false);
    late.remember('cmd_3', 'u');
    late.remember('cmd_4', 'u'); // over max: cmd_2 goes
    expect(late.size).toBe(2);
    expect(late.heard('u', opened('cmd_2'))).toBe(false);
    expect(late.heard('u', opened('cmd_4'))).toBe(true);
  });
});
