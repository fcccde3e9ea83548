import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeRoster } from './node-roster';

const announcement = (node: string, refreshMs = 1000) =>
  Buffer.from(
    JSON.stringify({
      node,
      instance: `inst_${node}`,
      startedAt: '2026-01-01T00:00:00.000Z',
      refreshMs,
    }),
  );

let roster: NodeRoster | undefined;
afterEach(() => roster?.stop());

function make() {
  let t = 0;
  const sent: string[] = [];
  roster = new NodeRoster(
    {
      self: 'node-a',
      log: pino({ level: 'silent' }),
      refreshMs: 1000,
      now: () => t,
    },
    async (topic, payload, expiry) => {
      sent.push(`${topic} ${payload ? `announce ${expiry}s` : 'gone'}`);
    },
  );
  let changes = 0;
  roster.onChange(() => changes++);
  return {
    r: roster,
    sent,
    changes: () => changes,
    at: (ms: number) => {
      t = ms;
    },
  };
}

describe('the node roster (_nodes/+)', () => {
  it('includes this node only once announced; learns peers and their deaths', () => {
    const { r, sent, changes, at } = make();
    r.heard('node-b', announcement('node-b'));
    expect(r.members()).toEqual(['node-b']);
    at(300);
    r.connected();
    expect(r.members()).toEqual(['node-a', 'node-b']);
    expect(sent).toEqual(['_nodes/node-a announce 4s']);
    r.heard('node-c', announcement('node-c'));
    r.heard('node-b', Buffer.alloc(0)); // its will
    expect(r.members()).toEqual(['node-a', 'node-c']);
    expect(changes()).toBe(4);
  });

  it('forgets a peer it has not heard for 3 refresh periods and a second (no will: a broker restart lost it)', async () => {
    const { r, at } = make();
    r.connected();
    r.heard('node-b', announcement('node-b', 100));
    at(1400);
    (r as unknown as { expire(): void }).expire();
    expect(r.members()).toEqual(['node-a']);
  });

  it('after a reconnect, a peer missing from the retained replay is gone soon', () => {
    const { r, at } = make();
    r.heard('node-b', announcement('node-b'));
    r.heard('node-c', announcement('node-c'));
    r.connected();
    at(10_000);
    r.heard('node-c', announcement('node-c'));
    at(10_001);
    r.linkUp(500);
    r.heard('node-c', announcement('node-c')); // replayed; node-b's was cleared meanwhile
    at(10_600);
    (r as unknown as { expire(): void }).expire();
    expect(r.members()).toEqual(['node-a', 'node-c']);
  });

  it('says again that it is here when its own announcement is cleared (an old process’s will)', () => {
    const { r, sent } = make();
    r.connected();
    r.heard('node-a', Buffer.alloc(0));
    expect(sent).toEqual([
      '_nodes/node-a announce 4s',
      '_nodes/node-a announce 4s',
    ]);
    expect(r.members()).toEqual(['node-a']);
  });

  it('leaves: clears its announcement and drops out of its own members', async () => {
    const { r, sent } = make();
    r.connected();
    await r.leave();
    expect(sent.at(-1)).toBe('_nodes/node-a gone');
    expect(r.members()).toEqual([]);
  });

  it('stands down while fenced: clears its announcement, stays out across a reconnect, rejoins', async () => {
    const { r, sent } = make();
    r.heard('node-b', announcement('node-b'));
    r.connected();
    await r.standDown();
    expect(sent.at(-1)).toBe('_nodes/node-a gone');
    expect(r.members()).toEqual(['node-b']);
    r.heard('node-a', announcement('node-a')); // the clear was lost: cleared again
    expect(sent.at(-1)).toBe('_nodes/node-a gone');
    r.linkDown();
    r.connected(); // the link came back meanwhile: still out
    expect(r.members()).toEqual(['node-b']);
    expect(sent.filter((m) => m.includes('announce'))).toHaveLength(1);
    r.rejoin();
    expect(sent.at(-1)).toBe('_nodes/node-a announce 4s');
    expect(r.members()).toEqual(['node-a', 'node-b']);
  });

  it('follows no unit while its link is down; back in once subscribed again', () => {
    const { r, sent } = make();
    r.connected();
    r.linkDown();
    expect(r.members()).toEqual([]);
    r.rejoin(); // not standing down: nothing to do, and no announcement without a link
    expect(sent).toHaveLength(1);
    r.connected();
    expect(r.members()).toEqual(['node-a']);
  });
});
