import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedBroker } from './broker';

describe('the embedded broker’s direct subscriptions', () => {
  let broker: EmbeddedBroker;
  beforeAll(async () => {
    broker = new EmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      log: pino({ level: 'silent' }),
      serverUsername: 'server',
      serverPassword: 'secret',
      unitPasswordHash: async () => null,
    });
    await broker.start();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('handles thousands of messages queued behind slow deliveries without growing the stack', async () => {
    // Slow deliveries on another topic hold the emitter's concurrency, as QoS 1 updates to
    // 5,000 units do; the reports published meanwhile queue, and each release hands over the
    // next. A handler that released synchronously recursed once per queued report and
    // overflowed the stack (it crashed the server in bench:sync).
    const aedes = (broker as unknown as { aedes: import('aedes').Aedes }).aedes;
    await new Promise<void>((resolve) =>
      aedes.subscribe(
        'keyway/v1/units/+/sync',
        (_packet, done) => setTimeout(done, 5),
        () => resolve(),
      ),
    );
    let heard = 0;
    const errors: unknown[] = [];
    await broker.subscribe('keyway/v1/units/+/applied', () => {
      heard++;
    });
    const publish = (topic: string, k: number) =>
      broker
        .publish(
          topic,
          JSON.stringify({ type: 'applied', cursor: `E.${k}` }),
          1,
        )
        .catch((err) => errors.push(err));
    const count = 30_000;
    await Promise.all([
      ...Array.from({ length: 200 }, (_, k) =>
        publish(`keyway/v1/units/unit_${k}/sync`, k),
      ),
      ...Array.from({ length: count }, (_, k) =>
        publish(`keyway/v1/units/unit_${k % 50}/applied`, k),
      ),
    ]);
    expect(errors).toEqual([]);
    expect(heard).toBe(count);
  });
});
