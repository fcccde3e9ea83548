import type { UnitEvent } from '@keyway/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import { buildSpace } from '../test/fixtures';
import { expectStatus, TestServer } from '../test/harness';
import { waitFor } from '../test/unit-process';
import { unitReportHandlers } from './unit-events';

const NOW = '2027-01-05T11:00:00.000Z';
const door = (
  state: 'open' | 'closed' | 'held_open',
  time: string,
  relay = 1,
): UnitEvent => ({
  type: 'door',
  relay,
  state,
  at: `2027-01-05T${time}.000Z`,
});

/**
 * Door events are placed by the unit's clock (issue 25 item 3): a replay after an outage, or
 * a cluster's nodes storing one unit's events in either order (issue 17), goes into the log at
 * its own time and never overwrites a newer state; a clock that is off is clamped and flagged.
 */
describe('door events by the unit clock', () => {
  const clock = new ManualClock(Date.parse(NOW));
  let t: TestServer;
  let s: Awaited<ReturnType<typeof buildSpace>>;

  beforeAll(async () => {
    t = await TestServer.start({ clock });
    s = await buildSpace(t);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const list = async (query = '') =>
    expectStatus(
      await t.request(
        'GET',
        `/v1/spaces/${s.space.id}/events?type=door.state${query}`,
        { token: s.owner },
      ),
      200,
    );
  const doorRow = () =>
    t.server.ctx.db
      .selectFrom('doors')
      .select(['state', 'state_since'])
      .where('id', '=', s.door.id)
      .executeTakeFirstOrThrow();
  const stored = async (n: number) =>
    waitFor(async () => {
      const { events } = await list(`&doorId=${s.door.id}`);
      return events.length === n && events;
    }, `${n} door events stored`);

  it('an older replayed closed after held_open stays history, listed at its own time', async () => {
    const handlers = unitReportHandlers(t.server.ctx);
    for (const e of [
      door('open', '10:57:00'),
      door('held_open', '10:58:30'),
      door('closed', '10:58:00'), // replayed after an outage: older than held_open
      door('held_open', '10:58:30'), // a redelivery
      door('closed', '10:58:00'), // a redelivery of the replay
    ])
      handlers.onEvent(s.unit.id, e);
    const events = await stored(3);
    // Newest first by the unit's clock, each with its arrival beside it.
    expect(events.map((e: any) => `${e.reason}@${e.at.slice(11, 19)}`)).toEqual(
      ['held_open@10:58:30', 'closed@10:58:00', 'open@10:57:00'],
    );
    expect(events[1].data).toMatchObject({
      unitTime: '2027-01-05T10:58:00.000Z',
      receivedAt: NOW,
      superseded: true,
    });
    expect(events[0].data.superseded).toBeUndefined();
    expect(await doorRow()).toEqual({
      state: 'held_open',
      state_since: '2027-01-05T10:58:30.000Z',
    });
    // The state at an instant comes from the log in the same order.
    const at = (iso: string) =>
      t
        .request(
          'GET',
          `/v1/doors/${s.door.id}/state?at=${encodeURIComponent(iso)}`,
          { token: s.owner },
        )
        .then((r) => expectStatus(r, 200).door);
    expect(await at('2027-01-05T10:58:10.000Z')).toMatchObject({
      state: 'closed',
    });
    expect(await at('2027-01-05T10:59:00.000Z')).toMatchObject({
      state: 'open',
      detail: 'held_open',
    });
  });

  it('an event newer than the state applies; a cursor pages the log in the same order', async () => {
    const handlers = unitReportHandlers(t.server.ctx);
    handlers.onEvent(s.unit.id, door('closed', '10:59:00'));
    await stored(4);
    expect((await doorRow()).state).toBe('closed');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await list(
        `&doorId=${s.door.id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.events.map((e: any) => e.at.slice(11, 19)));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['10:59:00', '10:58:30', '10:58:00', '10:57:00']);
  });

  it('a unit clock ahead of the server is clamped to the arrival and flagged', async () => {
    const handlers = unitReportHandlers(t.server.ctx);
    handlers.onEvent(s.unit.id, door('open', '11:30:00')); // 30 min ahead
    const [ahead] = await stored(5);
    expect(ahead).toMatchObject({
      reason: 'open',
      at: NOW,
      data: {
        unitTime: '2027-01-05T11:30:00.000Z',
        receivedAt: NOW,
        clockSkew: 'ahead',
      },
    });
    expect(await doorRow()).toEqual({ state: 'open', state_since: NOW });
  });

  it("a unit's boot report that repeats the current state is not a change: nothing logged, state kept", async () => {
    const handlers = unitReportHandlers(t.server.ctx);
    const before = await doorRow(); // open since NOW, from the test above
    handlers.onEvent(s.unit.id, door('open', '11:00:05')); // boot report after a reconnect
    handlers.onEvent(s.unit.id, door('closed', '11:00:06')); // a real change, as a marker
    const events = await stored(6);
    expect(events.map((e: any) => `${e.reason}@${e.at.slice(11, 19)}`)).toEqual(
      expect.arrayContaining(['closed@11:00:06']),
    );
    expect(events.filter((e: any) => e.reason === 'open')).toHaveLength(2);
    expect(before.state).toBe('open');
    expect((await doorRow()).state).toBe('closed');
  });
});
