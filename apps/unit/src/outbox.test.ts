import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Outbox, type OutboxItem } from './outbox';

const log = pino({ level: 'silent' });
const item = (n: number): OutboxItem => ({ topic: 't', payload: String(n) });

/** An outbox whose publishes settle only when the test says so. */
function setup(limit?: number) {
  let session: number | null = null;
  const sent: {
    item: OutboxItem;
    session: number | null;
    ok: () => void;
    fail: () => void;
  }[] = [];
  const outbox = new Outbox({
    log,
    limit,
    session: () => session,
    send: (i) =>
      new Promise<void>((resolve, reject) => {
        sent.push({
          item: i,
          session,
          ok: resolve,
          fail: () => reject(new Error('closed')),
        });
      }),
  });
  return { outbox, sent, connect: (s: number | null) => (session = s) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Outbox', () => {
  it('holds items while offline and sends them in order on connect', () => {
    const { outbox, sent, connect } = setup();
    outbox.push(item(1));
    outbox.push(item(2));
    expect(sent).toEqual([]);
    connect(1);
    outbox.flush();
    expect(sent.map((s) => s.item.payload)).toEqual(['1', '2']);
  });

  it('keeps an item until acknowledged and resends it in the next session', async () => {
    const { outbox, sent, connect } = setup();
    connect(1);
    outbox.push(item(1));
    outbox.push(item(2));
    sent[0]?.ok();
    sent[1]?.fail();
    await tick();
    expect(outbox.pending).toBe(1);
    connect(2);
    outbox.flush();
    outbox.flush();
    expect(sent.slice(2).map((s) => [s.item.payload, s.session])).toEqual([
      ['2', 2],
    ]);
  });

  it('drops the oldest item when full', () => {
    const { outbox, sent, connect } = setup(2);
    for (const n of [1, 2, 3]) outbox.push(item(n));
    connect(1);
    outbox.flush();
    expect(sent.map((s) => s.item.payload)).toEqual(['2', '3']);
  });
});
