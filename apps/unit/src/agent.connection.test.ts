import { describe, expect, it, vi } from 'vitest';
import { freePort, startBroker } from './testing/broker';
import { harness, recordingLogger, UNIT_ID, waitLong } from './testing/harness';
import { openCommand } from './testing/server';

const h = harness();

describe('agent connection', () => {
  it('has the broker publish its last will, {"online":false}, when its socket dies, then comes back', async () => {
    const { broker, server } = await h.online();
    broker.dropClient(`unit-${UNIT_ID}`);

    await vi.waitFor(
      () => expect(server.statuses).toContainEqual({ online: false }),
      waitLong,
    );
    const will = server.statuses.findIndex((s) => s.online === false);
    await vi.waitFor(
      () =>
        expect(server.statuses.slice(will + 1).some((s) => s.online)).toBe(
          true,
        ),
      waitLong,
    );
  });

  it('reports each sensor once after every connect (boot state), after the online status; none for a relay without a sensor', async () => {
    const broker = await h.broker();
    const server = await h.server(broker.url);
    const { driver } = h.agent(broker.url, { relays: 3, sensors: [1, 3] });
    const doors = () =>
      server.events.map((e) => ('relay' in e ? [e.relay, e.state] : e.type));
    await vi.waitFor(() => expect(doors()).toHaveLength(2), waitLong);
    expect(doors()).toEqual([
      [1, 'closed'],
      [3, 'closed'],
    ]);
    expect(server.statuses).toEqual([
      expect.objectContaining({ online: true }),
    ]);
    driver.simulate(2, 'forced_open'); // no sensor on relay 2: nothing to report
    driver.simulate(3, 'held_open');
    await vi.waitFor(() => expect(doors()).toHaveLength(3), waitLong);

    broker.dropClient(`unit-${UNIT_ID}`);
    await vi.waitFor(() => expect(doors()).toHaveLength(5), waitLong);
    expect(doors().slice(2)).toEqual([
      [3, 'held_open'],
      [1, 'closed'],
      [3, 'held_open'],
    ]);
    expect(server.statuses.map((s) => s.online)).toEqual([true, false, true]);
  });

  it('on stop publishes a retained offline status itself and disconnects without a will', async () => {
    const { broker, server, agent } = await h.online();
    await agent.stop();

    await vi.waitFor(() =>
      expect(server.statuses.at(-1)).toEqual({
        online: false,
        at: expect.any(String),
      }),
    );
    expect(agent.online).toBe(false);
    const late = await h.server(broker.url);
    await vi.waitFor(() =>
      expect(late.statuses).toEqual([
        { online: false, at: expect.any(String) },
      ]),
    );
    expect(server.statuses.filter((s) => !s.online)).toHaveLength(1);
  });

  it('is subscribed before it says online: a command sent on the online status is answered', async () => {
    const broker = await h.broker();
    const server = await h.server(broker.url);
    broker.subscribeDelayMs = 100;
    const command = openCommand();
    server.onStatus = (status) => {
      if (status.online) void server.send(command);
      server.onStatus = undefined;
    };
    h.agent(broker.url);
    await vi.waitFor(() =>
      expect(server.acks).toMatchObject([
        { commandId: command.id, result: 'opened' },
      ]),
    );
  });

  it('keeps retrying while nothing listens yet, and connects once the broker is up', async () => {
    const port = await freePort();
    const { log, lines } = recordingLogger();
    const { agent } = h.agent(`mqtt://127.0.0.1:${port}`, { log });
    await vi.waitFor(
      () =>
        expect(
          lines.filter((l) => l.msg.startsWith('connection error')),
        ).toHaveLength(2),
      waitLong,
    );

    const broker = await h.broker(port);
    const server = await h.server(broker.url);
    await vi.waitFor(
      () => expect(server.statuses.at(-1)?.online).toBe(true),
      waitLong,
    );
    expect(agent.online).toBe(true);
  });

  it('survives a broker restart: refused credentials are retried, queued events are flushed in order', async () => {
    const first = await h.online();
    const { driver, agent } = first;
    await first.broker.close();
    await vi.waitFor(() => expect(agent.online).toBe(false), waitLong);

    driver.simulate(1, 'forced_open');
    driver.simulate(1, 'closed');
    driver.simulate(2, 'held_open');

    const broker = await startBroker(first.broker.port);
    h.defer(() => broker.close());
    broker.refuseUnits = true;
    const server = await h.server(broker.url);
    await vi.waitFor(
      () => expect(broker.refused).toBeGreaterThanOrEqual(2),
      waitLong,
    );
    expect(agent.online).toBe(false);
    broker.refuseUnits = false;

    await vi.waitFor(
      () => expect(server.statuses.at(-1)?.online).toBe(true),
      waitLong,
    );
    await vi.waitFor(() => expect(server.events).toHaveLength(5), waitLong);
    // What waited offline, in order, then the boot state of this connect (§4.4).
    expect(
      server.events.map((e) => ('relay' in e ? [e.relay, e.state] : e.type)),
    ).toEqual([
      [1, 'forced_open'],
      [1, 'closed'],
      [2, 'held_open'],
      [1, 'closed'],
      [2, 'held_open'],
    ]);

    const command = openCommand();
    await server.send(command);
    await vi.waitFor(() =>
      expect(server.acks).toMatchObject([
        { commandId: command.id, result: 'opened' },
      ]),
    );
  });
});
