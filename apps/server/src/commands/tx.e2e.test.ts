import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUnitAudience } from '../sync/views';
import { buildSpace } from '../test/fixtures';
import { TestServer } from '../test/harness';
import { updateDoor } from './doors';

describe('the write path and the broker', () => {
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;
  beforeAll(async () => {
    t = await TestServer.start();
    s = await buildSpace(t);
  });
  afterAll(() => t.stop());

  it('a unit’s update is out (the broker writes from a setImmediate) before the write returns', async () => {
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
