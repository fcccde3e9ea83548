import mqtt from 'mqtt';

/** Connects as a unit with a real MQTT client at one protocol version: 'connected' or the refusal. */
export function tryConnect(
  credentials: { mqttUrl: string; username: string; password: string },
  protocolVersion: 4 | 5,
): Promise<string> {
  return new Promise((resolve) => {
    const c = mqtt.connect(credentials.mqttUrl, {
      protocolVersion,
      clientId: `unit-${credentials.username}`,
      username: credentials.username,
      password: credentials.password,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    const done = (r: string) => {
      c.end(true);
      resolve(r);
    };
    c.on('connect', () => done('connected'));
    c.on('error', (e) => done(`refused: ${e.message}`));
    c.on('close', () => done('closed'));
  });
}
