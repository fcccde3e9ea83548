import { createServer } from 'node:net';
import { Aedes } from 'aedes';

/** A bare aedes broker (same package as the embedded one, no auth), alone in its process. */
const broker = await Aedes.createBroker();
// TCP_NODELAY like the embedded broker, so the baseline and Keyway differ only in Keyway's work.
const server = createServer({ noDelay: true }, broker.handle);
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
