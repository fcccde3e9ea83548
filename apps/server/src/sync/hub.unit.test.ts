import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { InProcessBus } from './bus';
import type { CommittedChange } from './changelog';
import { type Subscriber, SyncHub } from './hub';

const AUDIENCES = ['u:1', 'u:2', 'u:3', 'a:sp', 'n:unit'];

class Recorder implements Subscriber {
  got: number[] = [];
  constructor(readonly audiences: ReadonlySet<string>) {}
  deliver(change: CommittedChange, message: Buffer): void {
    expect(JSON.parse(message.toString()).cursor).toBe(`E.${change.cursor}`);
    this.got.push(change.cursor);
  }
  revoke(): void {}
}

/**
 * A change reaches every subscriber that follows one of its audiences exactly once, in commit
 * order, whether the hub walks its audiences (a change for few of them) or every subscriber (a
 * change for about as many audiences as there are subscribers).
 */
describe('the hub', () => {
  it('delivers each change once to exactly the subscribers of its audiences', () => {
    const audienceSet = fc.uniqueArray(fc.constantFrom(...AUDIENCES), {
      minLength: 1,
    });
    fc.assert(
      fc.property(
        fc.array(audienceSet, { minLength: 1, maxLength: 12 }),
        fc.array(audienceSet, { minLength: 1, maxLength: 10 }),
        (followers, targets) => {
          const bus = new InProcessBus();
          const hub = new SyncHub(bus, 'E', pino({ level: 'silent' }));
          const subs = followers.map((a) => new Recorder(new Set(a)));
          for (const s of subs) hub.add(s);
          const changes = targets.map(
            (audiences, k): CommittedChange => ({
              cursor: k + 1,
              at: new Date(0).toISOString(),
              payload: '{"ops":[]}',
              audiences,
              resync: false,
            }),
          );
          bus.publish({ changes, nextChangeAt: new Map() });
          for (const s of subs)
            expect(s.got).toEqual(
              changes
                .filter((c) => c.audiences.some((a) => s.audiences.has(a)))
                .map((c) => c.cursor),
            );
          hub.stop();
        },
      ),
    );
  });

  it('walks the subscribers in the order they came for a wide change', () => {
    const bus = new InProcessBus();
    const hub = new SyncHub(bus, 'E', pino({ level: 'silent' }));
    const order: string[] = [];
    const names = ['u:3', 'u:1', 'u:2'];
    for (const name of names)
      hub.add({
        audiences: new Set([name]),
        deliver: () => order.push(name),
        revoke: () => {},
      });
    bus.publish({
      changes: [
        {
          cursor: 1,
          at: new Date(0).toISOString(),
          payload: '{"ops":[]}',
          audiences: ['u:1', 'u:2', 'u:3'],
          resync: false,
        },
      ],
      nextChangeAt: new Map(),
    });
    expect(order).toEqual(names);
  });
});
