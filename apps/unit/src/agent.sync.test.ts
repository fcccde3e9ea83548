import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { harness, recordingLogger, waitLong } from './testing/harness';
import { openCommand } from './testing/server';
import {
  accessEntry,
  accessKey,
  configKey,
  fullConfig,
  spaceKey,
  unitConfig,
  unitSpace,
  unitView,
} from './testing/views';

const h = harness();
const snapshot = (cursor: string, view: Record<string, unknown>) => ({
  type: 'snapshot',
  cursor,
  view,
});
const change = (cursor: string, ops: unknown[]) => ({
  type: 'change',
  cursor,
  at: new Date().toISOString(),
  ops,
});
const put = (key: string, value: unknown) => ({ op: 'put', key, value });
const del = (key: string) => ({ op: 'del', key });
const applied = (...cursors: string[]) =>
  cursors.map((cursor) => ({ type: 'applied', cursor }));

describe('agent configuration sync', () => {
  it('says resume with a null cursor after connecting, having subscribed to sync first', async () => {
    const { server, agent } = await h.online();
    await vi.waitFor(
      () => expect(server.reports).toEqual([{ type: 'resume', cursor: null }]),
      waitLong,
    );
    expect(agent.cursor).toBeNull();
    expect(agent.config).toBeNull();
    expect(agent.lockdown).toBe(false);
  });

  it('applies a snapshot, saves it, then reports applied', async () => {
    const stateFile = h.stateFile();
    const { server, agent } = await h.online({ stateFile });
    const view = unitView(
      accessEntry('ana'),
      accessEntry('bob', { relays: [1, 2] }),
    );
    await server.sync(snapshot('e1.5', view));

    await vi.waitFor(
      () => expect(server.reports).toContainEqual(applied('e1.5')[0]),
      waitLong,
    );
    expect(Object.fromEntries(agent.view)).toEqual(view);
    expect(agent.cursor).toBe('e1.5');
    expect(agent.config).toEqual(fullConfig());
    // Reported only once on disk.
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({
      cursor: 'e1.5',
      view,
    });
  });

  it('reports applied at QoS 0 (no PUBACK per update) and its resume at QoS 1', async () => {
    const { server } = await h.online();
    await vi.waitFor(() => expect(server.reports).toHaveLength(1), waitLong);
    await server.sync(snapshot('e1.5', unitView(accessEntry('ana'))));
    await server.sync(
      change('e1.6', [put(accessKey('m_bob'), accessEntry('bob'))]),
    );
    await vi.waitFor(() => expect(server.reports).toHaveLength(3), waitLong);
    expect(server.reports).toEqual([
      { type: 'resume', cursor: null },
      ...applied('e1.5', 'e1.6'),
    ]);
    expect(server.reportQos).toEqual([1, 0, 0]);
  });

  it('applies changes in order and reports each; duplicates are reported again but change nothing', async () => {
    const { server, agent } = await h.online();
    await vi.waitFor(() => expect(server.reports).toHaveLength(1), waitLong);
    await server.sync(snapshot('e1.5', unitView(accessEntry('ana'))));
    await server.sync(
      change('e1.6', [put(accessKey('m_bob'), accessEntry('bob'))]),
    );
    await server.sync(
      change('e1.9', [
        del(accessKey('m_ana')),
        put(accessKey('m_bob'), accessEntry('bob', { relays: [2] })),
      ]),
    );
    // A redelivery and an older change: already applied.
    await server.sync(
      change('e1.9', [put(accessKey('m_ana'), accessEntry('ana'))]),
    );
    await server.sync(
      change('e1.7', [put(accessKey('m_ana'), accessEntry('ana'))]),
    );
    // Neither a snapshot nor a change: ignored, not reported.
    await server.sync({
      type: 'heartbeat',
      cursor: 'e1.9',
      at: new Date().toISOString(),
    });
    await server.sync('garbage');
    await server.sync(
      change('e1.10', [put(accessKey('m_cy'), accessEntry('cy'))]),
    );

    const expected = applied('e1.5', 'e1.6', 'e1.9', 'e1.9', 'e1.7', 'e1.10');
    await vi.waitFor(
      () => expect(server.reports.slice(1)).toHaveLength(expected.length),
      waitLong,
    );
    expect(server.reports.slice(1)).toEqual(expected);
    expect(Object.fromEntries(agent.view)).toEqual({
      [configKey()]: unitConfig(),
      [spaceKey()]: unitSpace(),
      [accessKey('m_bob')]: accessEntry('bob', { relays: [2] }),
      [accessKey('m_cy')]: accessEntry('cy'),
    });
    expect(agent.cursor).toBe('e1.10');
  });

  it('keeps its view and cursor in the state file across a restart, and resumes from there', async () => {
    const stateFile = h.stateFile();
    const first = await h.online({ stateFile });
    await first.server.sync(snapshot('e1.5', unitView(accessEntry('ana'))));
    await first.server.sync(
      change('e1.9', [put(accessKey('m_bob'), accessEntry('bob'))]),
    );
    await vi.waitFor(
      () =>
        expect(first.server.reports.slice(1)).toEqual(applied('e1.5', 'e1.9')),
      waitLong,
    );
    const before = Object.fromEntries(first.agent.view);
    await first.agent.stop();

    const { agent } = h.agent(first.broker.url, { stateFile });
    expect(agent.cursor).toBe('e1.9');
    expect(Object.fromEntries(agent.view)).toEqual(before);
    await vi.waitFor(
      () =>
        expect(first.server.reports.at(-1)).toEqual({
          type: 'resume',
          cursor: 'e1.9',
        }),
      waitLong,
    );
  });

  it('exposes lockdown and the relay mapping, and still obeys the server', async () => {
    const { log, lines } = recordingLogger();
    const { server, agent, driver } = await h.online({ log, relays: 3 });
    const doors = [
      { doorId: 'door_front', relay: 1, pulseMs: 500, sensor: true },
    ];
    await server.sync(
      snapshot('e1.5', {
        [configKey()]: unitConfig({ doors }),
        [spaceKey()]: unitSpace({ lockdown: true }),
      }),
    );
    await vi.waitFor(() => expect(agent.lockdown).toBe(true), waitLong);
    expect(lines.map((l) => l.msg)).toContain(
      'configuration changed: Europe/Madrid, LOCKDOWN; relay 1 → door door_front (500 ms, sensor)',
    );

    // The server decides: a command during lockdown is carried out, with the command's own values.
    const onDoor = openCommand({ relay: 1, pulseMs: 120 });
    const noDoor = openCommand({ relay: 3, pulseMs: 80 });
    await server.send(onDoor);
    await server.send(noDoor);
    await vi.waitFor(
      () =>
        expect(server.acks.map((a) => a.result)).toEqual(['opened', 'opened']),
      waitLong,
    );
    expect(driver.pulses).toEqual([
      { relay: 1, ms: 120 },
      { relay: 3, ms: 80 },
    ]);
    expect(lines.map((l) => l.msg)).toContain('no door on relay 3 in config');
    expect(
      lines.filter((l) => l.msg.startsWith('no door on relay')),
    ).toHaveLength(1);

    // Lifted: one new value of the space's shared entry.
    await server.sync(change('e1.6', [put(spaceKey(), unitSpace())]));
    await vi.waitFor(() => expect(agent.lockdown).toBe(false), waitLong);
    expect(lines.map((l) => l.msg)).toContain('lockdown lifted');
  });
});
