import { SyncClient, type SyncStatus } from '@keyway/protocol';
import { WebSocket } from 'ws';
import { formatCursor, parseCursor } from '../sync/cursor';
import { audiencesOf } from '../sync/reader';
import { expectStatus, type TestServer } from './harness';

/** The real SyncClient (as the phone app and the dashboard run it), recording what it saw. */
export interface Recorded {
  client: SyncClient;
  userId: string;
  /** Every applied snapshot and change, in order. */
  applied: { kind: 'snapshot' | 'change'; cursor: string }[];
  statuses: SyncStatus[];
}

export async function recordedClient(
  t: TestServer,
  syncUrl: string,
  token: string,
): Promise<Recorded> {
  const me = expectStatus(await t.request('GET', '/v1/me', { token }), 200);
  const client = new SyncClient({
    url: syncUrl,
    token,
    WebSocketImpl: WebSocket,
    backoff: { minMs: 100, maxMs: 1000 },
  });
  const r: Recorded = { client, userId: me.user.id, applied: [], statuses: [] };
  client.on('change', (c) =>
    r.applied.push({ kind: c.kind, cursor: c.cursor }),
  );
  client.on('status', (s) => r.statuses.push(s));
  client.start();
  return r;
}

/** Each change for these audiences committed after `after`, in order: what a client must apply. */
export async function cursorsAfter(
  t: TestServer,
  audiences: string[],
  after: string,
): Promise<string[]> {
  const from = parseCursor(after);
  if (!from) throw new Error(`bad cursor ${after}`);
  const rows = await t.server.ctx.db
    .selectFrom('change_targets')
    .select('cursor')
    .distinct()
    .where('audience', 'in', audiences)
    .where('cursor', '>', from.n)
    .orderBy('cursor')
    .execute();
  return rows.map((r) => formatCursor(from.epoch, Number(r.cursor)));
}

/** The changes a recorded client applied after `after`, beside the ones it should have. */
export async function changesSince(t: TestServer, r: Recorded, after: string) {
  const i = r.applied.findIndex((a) => a.cursor === after);
  return {
    applied: r.applied.slice(i + 1).map((a) => `${a.kind} ${a.cursor}`),
    expected: (
      await cursorsAfter(t, await audiencesOf(t.server.ctx.db, r.userId), after)
    ).map((c) => `change ${c}`),
  };
}

/** The cursors the real unit process logged as applied, in order. */
export const unitApplied = (output: string) =>
  [...output.matchAll(/(snapshot|change) (\S+\.\d+) applied/g)].map(
    (m) => `${m[1]} ${m[2]}`,
  );

/** Commands the real unit process pulsed a relay for, once per pulse, in order. */
export const unitPulses = (output: string) =>
  [...output.matchAll(/command (\S+) opened relay/g)].map((m) => m[1]!);
