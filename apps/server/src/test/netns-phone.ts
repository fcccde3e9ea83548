import { SyncClient } from '@keyway/protocol';
import { WebSocket } from 'ws';

/**
 * A phone as its own process — started inside a network namespace beside the node it talks to
 * (test/netns.ts) — printing what its SyncClient does as JSON lines:
 * `{ev: 'status', status}`, `{ev: 'change', kind, cursor, group}`, `{ev: 'error', code}`.
 *   node --import tsx netns-phone.ts <ws url of /v1/sync> <token>
 */
const [url, token] = process.argv.slice(2);
if (!url || !token) {
  process.stderr.write('usage: netns-phone.ts <sync url> <token>\n');
  process.exit(2);
}
const out = (o: object) =>
  process.stdout.write(`${JSON.stringify({ t: Date.now(), ...o })}\n`);
const c = new SyncClient({
  url,
  token,
  WebSocketImpl: WebSocket as never,
  backoff: { minMs: 200, maxMs: 1000 },
});
const group = () =>
  ((c.entries('group')[0]?.[1] ?? null) as { name?: string } | null)?.name ??
  null;
c.on('status', (status) => out({ ev: 'status', status }));
c.on('error', (e) => out({ ev: 'error', code: e.code }));
c.on('change', (ch) =>
  out({ ev: 'change', kind: ch.kind, cursor: ch.cursor, group: group() }),
);
c.start();
process.on('SIGTERM', () => {
  c.stop();
  process.exit(0);
});
