import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { spawnScript } from './procs';
import { closedLoop, type LoopResult } from './stats';

/** Sizes of what really crosses the broker on an open: the command and the unit's ack. */
export function wireSizes(): { request: number; reply: number } {
  const now = new Date().toISOString();
  const id = `cmd_${'x'.repeat(24)}`;
  const command = {
    type: 'open',
    id,
    relay: 1,
    pulseMs: 50,
    issuedAt: now,
    expiresAt: now,
  };
  const ack = { commandId: id, result: 'opened', at: now };
  return {
    request: JSON.stringify(command).length,
    reply: JSON.stringify(ack).length,
  };
}

/**
 * A bare MQTT request/response round trip between two processes through a third (a bare aedes
 * broker): this process publishes a command-sized request at QoS 1 and waits for the
 * responder's ack-sized reply at QoS 1, in a closed loop at each concurrency level.
 */
export async function mqttBaseline(
  levels: number[],
  ms: number,
  warmupMs: number,
): Promise<Map<number, LoopResult>> {
  const sizes = wireSizes();
  const broker = await spawnScript<{ port: number }>('./bare-broker.ts', []);
  const url = `mqtt://127.0.0.1:${broker.ready.port}`;
  const responder = await spawnScript('./mqtt-responder.ts', [
    url,
    String(sizes.reply),
  ]);
  const clientId = `bench-requester-${process.pid}`;
  const replyTo = `bench/res/${clientId}`;
  const client = await mqtt.connectAsync(url, { clientId, clean: true });
  (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  const pending = new Map<string, () => void>();
  client.on('message', (_topic, payload) => {
    const { commandId } = JSON.parse(payload.toString()) as {
      commandId: string;
    };
    pending.get(commandId)?.();
    pending.delete(commandId);
  });
  await client.subscribeAsync(replyTo, { qos: 1 });
  const request = (id: string) => {
    const base = JSON.stringify({ id, replyTo, p: '' });
    return base.replace(
      '"p":""',
      `"p":"${'x'.repeat(Math.max(0, sizes.request - base.length))}"`,
    );
  };
  const out = new Map<number, LoopResult>();
  try {
    for (const level of levels) {
      const result = await closedLoop(level, ms, warmupMs, async () => {
        const id = randomBytes(12).toString('hex');
        let timer: NodeJS.Timeout | undefined;
        const answered = new Promise<string | undefined>((resolve) => {
          pending.set(id, () => resolve(undefined));
          timer = setTimeout(() => resolve('no reply in 5 s'), 5_000);
        });
        client.publish('bench/req', request(id), { qos: 1 });
        const failure = await answered;
        clearTimeout(timer);
        pending.delete(id);
        return failure;
      });
      out.set(level, result);
    }
  } finally {
    await client.endAsync(true);
    responder.child.kill('SIGKILL');
    broker.child.kill('SIGKILL');
  }
  return out;
}
