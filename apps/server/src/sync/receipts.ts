import { advisoryTransaction, type Db, type Dialect } from '../db/connect';
import { updateAcks } from './bulk';

export interface ReceiptCounts {
  total: number;
  received: number;
  pending: { clientId: string; cursor: number }[];
}
const FLUSH_SLICE = 50;

type ClientRow = {
  client_id: string;
  kind: 'unit' | 'phone';
  user_id: string | null;
  unit_id: string | null;
  cursor: number;
  updated_at: string;
};

/** One slice of connected clients (the caller slices): their rows and the audiences they follow. */
async function upsertClients(
  db: Db,
  seen: { row: ClientRow; audiences: string[] }[],
): Promise<void> {
  await db
    .insertInto('sync_clients')
    .values(seen.map((s) => s.row))
    .onConflict((oc) =>
      oc.column('client_id').doUpdateSet((eb) => ({
        cursor: eb.ref('excluded.cursor'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
  await db
    .deleteFrom('sync_client_audiences')
    .where(
      'client_id',
      'in',
      seen.map((s) => s.row.client_id),
    )
    .execute();
  const audiences = seen.flatMap((s) =>
    s.audiences.map((audience) => ({ client_id: s.row.client_id, audience })),
  );
  for (let k = 0; k < audiences.length; k += 500)
    await db
      .insertInto('sync_client_audiences')
      .values(audiences.slice(k, k + 500))
      .execute();
}

export interface ChangeReceipt {
  cursor: number;
  at: string;
  ops: number;
  events: number;
  phones: ReceiptCounts;
  dashboards: ReceiptCounts;
  units: ReceiptCounts;
}

/**
 * Delivery receipts (issue #3 item 5): the last cursor each phone/dashboard session and each unit
 * acknowledged, and which audiences it follows. Acks arrive often, so they are kept in memory and
 * written in one batch a second.
 */
export class Receipts {
  private pendingSeen = new Map<
    string,
    { row: ClientRow; audiences: string[] }
  >();
  private pendingAcks = new Map<string, number>();
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout;

  constructor(
    private db: Db,
    private dialect: Dialect,
    private now: () => Date,
    flushMs = 1000,
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  /**
   * A client (session or unit) connected, following these audiences, at this cursor. Kept in
   * memory until the next flush, like acks: 9,000 phones reconnecting after a deploy would
   * otherwise be 9,000 durable commits in the way of the writes that matter.
   */
  seen(
    clientId: string,
    owner: { userId?: string; unitId?: string } | string,
    audiences: string[],
    cursor: number,
  ): void {
    const o = typeof owner === 'string' ? { userId: owner } : owner;
    this.pendingSeen.set(clientId, {
      row: {
        client_id: clientId,
        kind: o.unitId ? 'unit' : 'phone',
        user_id: o.userId ?? null,
        unit_id: o.unitId ?? null,
        cursor,
        updated_at: this.now().toISOString(),
      },
      audiences,
    });
    // Connecting at a cursor supersedes an older pending ack of the same client id.
    const acked = this.pendingAcks.get(clientId);
    if (acked !== undefined && acked <= cursor)
      this.pendingAcks.delete(clientId);
  }

  ack(clientId: string, cursor: number): void {
    if ((this.pendingAcks.get(clientId) ?? -1) < cursor)
      this.pendingAcks.set(clientId, cursor);
  }

  async forget(clientId: string): Promise<void> {
    await this.flush();
    this.pendingAcks.delete(clientId);
    await this.db
      .deleteFrom('sync_clients')
      .where('client_id', '=', clientId)
      .execute();
  }

  /** Writes what arrived since the last flush; flushes run one after another, in order. */
  flush(): Promise<void> {
    const seen = [...this.pendingSeen.values()];
    const acks = [...this.pendingAcks];
    this.pendingSeen.clear();
    this.pendingAcks.clear();
    if (!seen.length && !acks.length) return this.flushing;
    const at = this.now().toISOString();
    this.flushing = this.flushing
      .then(async () => {
        // In slices, each its own short transaction: a write waiting for the connection gets
        // it between two slices instead of after thousands of rows. Advisory commits: they do
        // not wait for the disk (a durable one took 0.5–3 ms of the event loop each second).
        for (let i = 0; i < seen.length; i += FLUSH_SLICE)
          await advisoryTransaction(this.db, this.dialect, (trx) =>
            upsertClients(trx, seen.slice(i, i + FLUSH_SLICE)),
          );
        // One statement per slice of acks: after a change reached 9,000 phones, 9,000 of them.
        for (let i = 0; i < acks.length; i += 10 * FLUSH_SLICE)
          await advisoryTransaction(this.db, this.dialect, (trx) =>
            updateAcks(
              trx,
              this.dialect,
              acks.slice(i, i + 10 * FLUSH_SLICE),
              at,
            ),
          );
      })
      .catch(() => {
        // Receipts are advisory; the next ack or connect carries the same information.
      });
    return this.flushing;
  }

  /** For the space's recent changes: who has received or applied each. */
  async forSpace(spaceId: string, limit: number): Promise<ChangeReceipt[]> {
    await this.flush();
    const changes = await this.db
      .selectFrom('changes')
      .select(['cursor', 'at', 'payload'])
      .where('space_id', '=', spaceId)
      .orderBy('cursor', 'desc')
      .limit(limit)
      .execute();
    if (!changes.length) return [];
    const cursors = changes.map((c) => Number(c.cursor));
    const targets = await this.db
      .selectFrom('change_targets')
      .select(['cursor', 'audience'])
      .where('cursor', 'in', cursors)
      .execute();
    const audiences = [...new Set(targets.map((t) => t.audience))];
    const followers = audiences.length
      ? await this.db
          .selectFrom('sync_client_audiences as a')
          .innerJoin('sync_clients as c', 'c.client_id', 'a.client_id')
          .select(['a.audience', 'c.client_id', 'c.cursor'])
          .where('a.audience', 'in', audiences)
          .execute()
      : [];
    const byAudience = new Map<
      string,
      { clientId: string; cursor: number }[]
    >();
    for (const f of followers)
      byAudience.set(f.audience, [
        ...(byAudience.get(f.audience) ?? []),
        { clientId: f.client_id, cursor: Number(f.cursor) },
      ]);
    return changes.map((c) => {
      const cursor = Number(c.cursor);
      const payload = JSON.parse(c.payload) as {
        ops: unknown[];
        events?: unknown[];
      };
      const kinds = {
        'u:': new Map<string, number>(),
        'a:': new Map<string, number>(),
        'n:': new Map<string, number>(),
      };
      for (const t of targets) {
        if (Number(t.cursor) !== cursor) continue;
        const kind = kinds[t.audience.slice(0, 2) as keyof typeof kinds];
        for (const f of byAudience.get(t.audience) ?? [])
          kind?.set(f.clientId, f.cursor);
      }
      const counts = (m: Map<string, number>): ReceiptCounts => {
        const pending = [...m]
          .filter(([, at]) => at < cursor)
          .map(([clientId, at]) => ({ clientId, cursor: at }));
        return { total: m.size, received: m.size - pending.length, pending };
      };
      return {
        cursor,
        at: c.at,
        ops: payload.ops.length,
        events: payload.events?.length ?? 0,
        phones: counts(kinds['u:']),
        dashboards: counts(kinds['a:']),
        units: counts(kinds['n:']),
      };
    });
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
