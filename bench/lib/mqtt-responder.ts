import mqtt from 'mqtt';

/**
 * The unit's half of the MQTT baseline: answers every request at once with an ack-sized reply,
 * both ways at QoS 1 like commands and acks.
 */
const [url = '', replySize = '90'] = process.argv.slice(2);
const client = await mqtt.connectAsync(url, {
  clientId: `bench-responder-${process.pid}`,
  clean: true,
});
// TCP_NODELAY like the server's and the unit's clients.
(client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
const pad = (id: string) =>
  JSON.stringify({ commandId: id, result: 'opened', at: '', p: '' });
client.on('message', (_topic, payload) => {
  const { id, replyTo } = JSON.parse(payload.toString()) as {
    id: string;
    replyTo: string;
  };
  const base = pad(id);
  const reply = base.replace(
    '"p":""',
    `"p":"${'x'.repeat(Math.max(0, Number(replySize) - base.length))}"`,
  );
  client.publish(replyTo, reply, { qos: 1 });
});
await client.subscribeAsync('bench/req', { qos: 1 });
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
