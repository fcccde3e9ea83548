import type { UnitEvent } from '@keyway/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpace } from '../test/fixtures';
import { TestServer } from '../test/harness';
import { waitFor } from '../test/unit-process';
import { unitReportHandlers } from './unit-events';

/**
 * On a cluster a unit's events reach the nodes one by one (a shared subscription), so two
 * nodes may store them in either order: the unit's own time decides (issue 17).
 */
describe('door events out of order', () => {
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;

  beforeAll(async () => {
    t = await TestServer.start();
    s = await buildSpace(t);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const logged = async () =>
    (
      await t.server.ctx.db
        .selectFrom('events')
        .select(['reason', 'data'])
        .where('door_id', '=', s.door.id)
        .where('type', '=', 'door.state')
        .orderBy('seq')
        .execute()
    ).map((e) => `${e.reason}@${JSON.parse(e.data!).unitTime.slice(11, 19)}`);

  it('an event older than the stored state neither changes it nor is logged', async () => {
    const handlers = unitReportHandlers(t.server.ctx);
    const door = (state: 'open' | 'closed', time: string): UnitEvent => ({
      type: 'door',
      relay: 1,
      state,
      at: `2030-01-01T${time}.000Z`,
    });
    for (const e of [
      door('open', '10:00:02'),
      door('closed', '10:00:01'), // stored later by a slower node: older
      door('open', '10:00:02'), // a redelivery
      door('closed', '10:00:03'),
      door('open', '10:00:01'), // older than the closed one
      door('open', '10:00:04'),
    ])
      handlers.onEvent(s.unit.id, e);
    await waitFor(async () => (await logged()).length === 3, 'three stored');
    expect(await logged()).toEqual([
      'open@10:00:02',
      'closed@10:00:03',
      'open@10:00:04',
    ]);
    const row = await t.server.ctx.db
      .selectFrom('doors')
      .select('state')
      .where('id', '=', s.door.id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('open');
  });
});
