import { describe, expect, it, vi } from 'vitest';
import { harness, UNIT_ID, waitLong } from './testing/harness';
import { serveSync } from './testing/sync-server';
import {
  accessEntry,
  accessKey,
  fullConfig,
  spaceKey,
  unitSpace,
  unitView,
} from './testing/views';

const h = harness();

describe('agent configuration sync across disconnects', () => {
  it('follows the documented sequence: resume, snapshot, change, offline, resume, missed change', async () => {
    const broker = await h.broker();
    const server = await h.server(broker.url);
    const log = serveSync(server, {
      epoch: 'e1',
      n: 5,
      view: unitView(accessEntry('ana')),
    });
    const { agent } = h.agent(broker.url);
    await vi.waitFor(() => expect(server.reports).toHaveLength(2), waitLong);
    await log.commit(
      [{ op: 'put', key: accessKey('m_bob'), value: accessEntry('bob') }],
      9,
    );
    await vi.waitFor(() => expect(server.reports).toHaveLength(3), waitLong);

    broker.refuseUnits = true;
    broker.dropClient(`unit-${UNIT_ID}`);
    await vi.waitFor(() => expect(log.live).toBe(false), waitLong);
    await log.commit([{ op: 'del', key: accessKey('m_ana') }], 12);
    await vi.waitFor(
      () => expect(broker.refused).toBeGreaterThanOrEqual(1),
      waitLong,
    );
    broker.refuseUnits = false;

    await vi.waitFor(() => expect(server.reports).toHaveLength(5), waitLong);
    expect(server.reports).toEqual([
      { type: 'resume', cursor: null },
      { type: 'applied', cursor: 'e1.5' },
      { type: 'applied', cursor: 'e1.9' },
      { type: 'resume', cursor: 'e1.9' },
      { type: 'applied', cursor: 'e1.12' },
    ]);
    expect(log.sent).toEqual([
      { type: 'snapshot', cursor: 'e1.5' },
      { type: 'change', cursor: 'e1.9' },
      { type: 'change', cursor: 'e1.12' },
    ]);
    expect(Object.fromEntries(agent.view)).toEqual(
      Object.fromEntries(log.view),
    );
  });

  it('misses ten changes while offline, and applies exactly those, in order, when back', async () => {
    const broker = await h.broker();
    const server = await h.server(broker.url);
    const log = serveSync(server, {
      n: 5,
      view: unitView(accessEntry('ana'), accessEntry('bob')),
    });
    const { agent } = h.agent(broker.url);
    await vi.waitFor(() => expect(agent.cursor).toBe('e1.5'), waitLong);
    await vi.waitFor(() => expect(server.reports).toHaveLength(2), waitLong);

    broker.refuseUnits = true;
    broker.dropClient(`unit-${UNIT_ID}`);
    await vi.waitFor(() => expect(log.live).toBe(false), waitLong);
    const missed: string[] = [];
    const commit = async (...ops: Parameters<typeof log.commit>[0]) =>
      missed.push((await log.commit(ops)).cursor);
    await commit({ op: 'del', key: accessKey('m_ana') }); // a revocation
    for (const name of ['c1', 'c2', 'c3', 'c4', 'c5']) {
      await commit({
        op: 'put',
        key: accessKey(`m_${name}`),
        value: accessEntry(name),
      });
    }
    await commit({
      op: 'put',
      key: spaceKey(),
      value: unitSpace({ lockdown: true }),
    });
    await commit(
      { op: 'del', key: accessKey('m_c2') },
      {
        op: 'put',
        key: accessKey('m_c3'),
        value: accessEntry('c3', { relays: [2] }),
      },
    );
    await commit({
      op: 'put',
      key: spaceKey(),
      value: unitSpace({ timezone: 'Atlantic/Canary' }),
    });
    await commit(
      {
        op: 'put',
        key: accessKey('m_ana'),
        value: accessEntry('ana', { relays: [2] }),
      },
      { op: 'del', key: accessKey('m_bob') },
    );
    expect(missed).toHaveLength(10);
    expect(server.reports).toHaveLength(2);
    expect(agent.cursor).toBe('e1.5');

    await vi.waitFor(
      () => expect(broker.refused).toBeGreaterThanOrEqual(1),
      waitLong,
    );
    broker.refuseUnits = false;
    await vi.waitFor(() => expect(agent.cursor).toBe(missed.at(-1)), waitLong);
    const resumed = server.reports.findLastIndex((r) => r.type === 'resume');
    await vi.waitFor(
      () => expect(server.reports.slice(resumed + 1)).toHaveLength(10),
      waitLong,
    );

    expect(server.reports[resumed]).toEqual({ type: 'resume', cursor: 'e1.5' });
    expect(server.reports.slice(resumed + 1)).toEqual(
      missed.map((cursor) => ({ type: 'applied', cursor })),
    );
    expect(Object.fromEntries(agent.view)).toEqual(
      Object.fromEntries(log.view),
    );
    expect(agent.view.has(accessKey('m_bob'))).toBe(false);
    expect(agent.config).toEqual(fullConfig({ timezone: 'Atlantic/Canary' }));
    expect(agent.lockdown).toBe(false);
  });
});
