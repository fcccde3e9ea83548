import { describe, expect, it } from 'vitest';
import { isUnitAudience } from '../sync/views';
import { suiteSpace } from '../test/suite-space';
import { updateDoor } from './doors';

describe('the write path and the broker', () => {
  const suite = suiteSpace();

  it('a unit’s update is out (the broker writes from a setImmediate) before the write returns', async () => {
    const { t, s } = suite;
    const order: string[] = [];
    // As aedes does for every delivery: the write to the unit's socket on the next turn.
    const off = t.server.ctx.bus.subscribe((batch) => {
      if (batch.changes.some((c) => c.audiences.some(isUnitAudience)))
        setImmediate(() => order.push('unit update written'));
    });
    try {
      await updateDoor(t.server.ctx, 'usr_test', s.space.id, s.door.id, {
        pulseMs: 321,
      });
      order.push('write returned');
    } finally {
      off();
    }
    expect(order).toEqual(['unit update written', 'write returned']);
  });
});
