/**
 * A broken unit for the kit's negative test of §3/§7: it announces itself online before it
 * subscribes, so a command sent as soon as the server sees it is lost. Otherwise it acks what it
 * can read (`opened` for an open, `invalid` for the rest). KEYWAY_UNIT_URL/USERNAME/PASSWORD.
 */
import mqtt from 'mqtt';

const { KEYWAY_UNIT_URL: url, KEYWAY_UNIT_USERNAME: id } = process.env;
const base = `keyway/v1/units/${id}`;
const client = mqtt.connect(url as string, {
  clientId: `unit-${id}`,
  username: id,
  password: process.env.KEYWAY_UNIT_PASSWORD,
  clean: true,
  keepalive: 15,
  reconnectPeriod: 200,
  reconnectOnConnackError: true, // §2: CONNACK 3 while the server starts: retry
  will: {
    topic: `${base}/status`,
    payload: Buffer.from('{"online":false}'),
    qos: 1,
    retain: true,
  },
});
client.on('connect', async () => {
  const status = { online: true, at: new Date().toISOString(), relays: 2 };
  // The fault: online first, subscriptions after (§7 says the other way round).
  await client.publishAsync(`${base}/status`, JSON.stringify(status), {
    qos: 1,
    retain: true,
  });
  await new Promise((r) => setTimeout(r, 100));
  await client.subscribeAsync([`${base}/commands`, `${base}/sync`], { qos: 1 });
  client.publish(`${base}/applied`, '{"type":"resume","cursor":null}', {
    qos: 1,
  });
});
client.on('error', (err) => console.error(`unit: ${err.message}`));
client.on('message', (topic, payload) => {
  if (topic !== `${base}/commands`) return;
  const cmd = JSON.parse(payload.toString()) as { id: string; type: string };
  const result = cmd.type === 'open' ? 'opened' : 'invalid';
  const ack = { commandId: cmd.id, result, at: new Date().toISOString() };
  client.publish(`${base}/acks`, JSON.stringify(ack), { qos: 1 });
});
process.on('SIGTERM', () => client.end(false, {}, () => process.exit(0)));
