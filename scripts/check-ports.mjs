// `npm start` runs this first, before installing or building anything: a port that is taken is
// found in a second and named in one line, not after minutes of install and build as a raw
// EADDRINUSE stack trace. Plain Node, no dependencies (nothing is installed yet).
import { createServer } from 'node:net';

const host = process.env.KEYWAY_HOST || '127.0.0.1';
const ports = [
  ['KEYWAY_PORT', process.env.KEYWAY_PORT || '8480', 'HTTP API and web apps'],
  [
    'KEYWAY_MQTT_PORT',
    process.env.KEYWAY_MQTT_PORT || '8483',
    'MQTT broker for units',
  ],
  ['KEYWAY_METRICS_PORT', process.env.KEYWAY_METRICS_PORT, 'metrics'],
  ['KEYWAY_MQTT_PLAIN_PORT', process.env.KEYWAY_MQTT_PLAIN_PORT, 'plain MQTT'],
];

/** Resolves to the error code when `port` cannot be listened on, or undefined when it is free. */
function probe(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err) => resolve(err.code ?? String(err)));
    server.listen({ port, host, exclusive: true }, () =>
      server.close(() => resolve(undefined)),
    );
  });
}

let taken = 0;
for (const [env, value, what] of ports) {
  if (value === undefined || value === '' || value === '0') continue;
  const port = Number(value);
  const problem = await probe(port);
  if (!problem) continue;
  taken++;
  const why =
    problem === 'EADDRINUSE' ? 'is taken' : `cannot be used (${problem})`;
  process.stderr.write(
    `keyway: port ${port} on ${host} (${env}, ${what}) ${why}: stop what uses it, or choose another, e.g. ${env}=${port + 10} npm start\n`,
  );
}
process.exit(taken ? 1 : 0);
