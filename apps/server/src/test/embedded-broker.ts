import pino from 'pino';
import { EmbeddedBroker } from '../mqtt/broker';
import { hashSecret } from '../mqtt/secrets';

/**
 * An embedded broker on a free port for the broker's own tests: the server's link user is
 * `server` with `serverPassword`; `units` maps each known unit id to its password.
 */
export async function startTestBroker(
  opts: { serverPassword?: string; units?: Record<string, string> } = {},
): Promise<EmbeddedBroker> {
  const units = opts.units ?? {};
  const broker = new EmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    log: pino({ level: 'silent' }),
    serverUsername: 'server',
    serverPassword: opts.serverPassword ?? 'secret',
    unitPasswordHash: async (id) =>
      Object.hasOwn(units, id) ? hashSecret(units[id]!) : null,
  });
  await broker.start();
  return broker;
}
