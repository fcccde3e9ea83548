import type { Db } from '../db/connect';

export interface ReceiptCounts {
  total: number;
  received: number;
  pending: { clientId: string; cursor: number }[];
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
  private pendingAcks = new Map<string, number>();
  private timer: NodeJS.Timeout;

  constructor(
    private db: Db,
    private now: () => Date,
    flushMs = 1000,
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  /** A client (session or unit) connected, following these audiences, at this cursor. */
  async seen(
    clientId: string,
    owner: { userId?: string; unitId?: string } | string,
    audiences: string[],
    cursor: number,
  ) {
    const o = typeof owner === 'string' ? { userId: owner } : owner;
    const row = {
      client_id: clientId,
      kind: (o.unitId ? 'unit' : 'phone') as 'unit' | 'phone',
      user_id: o.userId ?? null,
      unit_id: o.unitId ?? null,
      cursor,
      updated_at: this.now().toISOString(),
    };
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('sync_clients')
        .values(row)
        .onConflict((oc) =>
          oc
            .column('client_id')
            .doUpdateSet({ cursor: row.cursor, updated_at: row.updated_at }),
        )
        .execute();
      await trx
        .deleteFrom('sync_client_audiences')
        .where('client_id', '=', clientId)
        .execute();
      if (audiences.length)
        await trx
          .insertInto('sync_client_audiences')
          .values(
            audiences.map((audience) => ({ client_id: clientId, audience })),
          )
          .execute();
    });
  }

  ack(clientId: string, cursor: number): void {
    if ((this.pendingAcks.get(clientId) ?? -1) < cursor)
      this.pendingAcks.set(clientId, cursor);
  }

  async forget(clientId: string): Promise<void> {
    this.pendingAcks.delete(clientId);
    await this.db
      .deleteFrom('sync_clients')
      .where('client_id', '=', clientId)
      .execute();
  }

  async flush(): Promise<void> {
    if (this.pendingAcks.size === 0) return;
    const acks = [...this.pendingAcks];
    this.pendingAcks.clear();
    const at = this.now().toISOString();
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const [clientId, cursor] of acks) {
          await trx
            .updateTable('sync_clients')
            .set({ cursor, updated_at: at })
            .where('client_id', '=', clientId)
            .where('cursor', '<', cursor)
            .execute();
        }
      });
    } catch {
      // Receipts are advisory; the next ack carries the same information.
    }
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
