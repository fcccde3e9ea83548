import { describe, expect, it, vi } from 'vitest';
import { harness, waitLong } from './testing/harness';
import { openCommand } from './testing/server';

const h = harness();
const doorEvents = (events: { type: string }[]) =>
  events.filter((e) => e.type === 'door');

describe('agent commands', () => {
  it('announces itself: retained online status with agent, relays and location, then its position', async () => {
    const location = { lat: 41.3874, lon: 2.1686 };
    const { broker, server } = await h.online({ relays: 2, location });
    expect(server.statuses.at(-1)).toMatchObject({
      online: true,
      agent: 'keyway-unit/0.1.0 (sim)',
      relays: 2,
      location,
    });
    await vi.waitFor(() =>
      expect(server.events).toContainEqual(
        expect.objectContaining({ type: 'position', location }),
      ),
    );

    const late = await h.server(broker.url);
    await vi.waitFor(() =>
      expect(late.statuses).toEqual([
        expect.objectContaining({ online: true, relays: 2 }),
      ]),
    );
  });

  it('opens: acks opened, then reports the door open and closed again', async () => {
    const { server, driver } = await h.online();
    const command = openCommand({ relay: 1, pulseMs: 120 });
    await server.send(command);

    await vi.waitFor(
      () => expect(doorEvents(server.events)).toHaveLength(2),
      waitLong,
    );
    expect(server.acks).toEqual([
      { commandId: command.id, result: 'opened', at: expect.any(String) },
    ]);
    expect(doorEvents(server.events)).toEqual([
      { type: 'door', relay: 1, state: 'open', at: expect.any(String) },
      { type: 'door', relay: 1, state: 'closed', at: expect.any(String) },
    ]);
    expect(driver.pulses).toEqual([{ relay: 1, ms: 120 }]);
  });

  it('refuses a command at its expiresAt by the unit clock: ack expired, no pulse, no door event', async () => {
    let clock = Date.parse('2030-01-01T10:00:00Z');
    const { server, driver } = await h.online({ now: () => clock });
    const stale = openCommand({ relay: 1 }, clock, 1000);
    clock += 1000;
    await server.send(stale);
    // A later command on relay 2 marks the point by which relay 1 would have been reported.
    const marker = openCommand({ relay: 2 }, clock);
    await server.send(marker);

    await vi.waitFor(() => expect(server.acks).toHaveLength(2), waitLong);
    expect(server.acks.map((a) => [a.commandId, a.result])).toEqual([
      [stale.id, 'expired'],
      [marker.id, 'opened'],
    ]);
    expect(server.acks[0]?.at).toBe('2030-01-01T10:00:01.000Z');
    await vi.waitFor(
      () => expect(doorEvents(server.events)).toHaveLength(2),
      waitLong,
    );
    expect(doorEvents(server.events)).toEqual([
      expect.objectContaining({ relay: 2, state: 'open' }),
      expect.objectContaining({ relay: 2, state: 'closed' }),
    ]);
    expect(driver.pulses.map((p) => p.relay)).toEqual([2]);
  });

  it('acts once on one id: the second delivery is acked duplicate', async () => {
    const { server, driver } = await h.online();
    const command = openCommand();
    await server.send(command);
    await server.send(command);

    await vi.waitFor(() => expect(server.acks).toHaveLength(2), waitLong);
    expect(server.acks.map((a) => a.result)).toEqual(['opened', 'duplicate']);
    expect(server.acks.every((a) => a.commandId === command.id)).toBe(true);
    expect(driver.pulses).toHaveLength(1);
  });

  it('acks invalid when the id is readable, and drops what has none', async () => {
    const { server, driver } = await h.online();
    await server.send('not json');
    await server.send({ type: 'open', relay: 1 });
    const bad = { ...openCommand(), relay: 9 };
    await server.send(bad);
    const marker = openCommand({ relay: 2 });
    await server.send(marker);

    await vi.waitFor(() => expect(server.acks).toHaveLength(2), waitLong);
    expect(server.acks[0]).toEqual({
      commandId: bad.id,
      result: 'invalid',
      at: expect.any(String),
      message: expect.stringContaining('relay'),
    });
    expect(server.acks[1]).toMatchObject({
      commandId: marker.id,
      result: 'opened',
    });
    expect(driver.pulses.map((p) => p.relay)).toEqual([2]);
  });

  it('acks failed for a relay this unit does not have', async () => {
    const { server, driver } = await h.online({ relays: 2 });
    const command = openCommand({ relay: 3 });
    await server.send(command);

    await vi.waitFor(() => expect(server.acks).toHaveLength(1), waitLong);
    expect(server.acks[0]).toMatchObject({
      commandId: command.id,
      result: 'failed',
    });
    expect(server.acks[0]?.message).toContain('relay 3');
    expect(driver.pulses).toEqual([]);
  });

  it('reports forced open and held open from the sensor', async () => {
    const { server, driver } = await h.online();
    driver.simulate(2, 'forced_open');
    driver.simulate(2, 'held_open');

    await vi.waitFor(
      () => expect(doorEvents(server.events)).toHaveLength(2),
      waitLong,
    );
    expect(
      doorEvents(server.events).map((e) => ('state' in e ? e.state : '')),
    ).toEqual(['forced_open', 'held_open']);
  });
});
