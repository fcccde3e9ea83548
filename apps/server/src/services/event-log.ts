import type { AccessEvent, EventType } from '@keyway/protocol';
import type { Clock } from '../clock';
import type { Db } from '../db/connect';
import { newId } from '../ids';
import { presentEvent } from '../presenters/event';

export interface NewEvent {
  spaceId: string;
  type: EventType;
  doorId?: string | null;
  unitId?: string | null;
  userId?: string | null;
  memberId?: string | null;
  result?: string | null;
  reason?: string | null;
  data?: Record<string, unknown> | null;
  at?: Date;
}

export type EventListener = (event: AccessEvent) => void;

/** The access log: every attempt, sensor change, presence change and admin change. */
export class EventLog {
  private listeners = new Set<EventListener>();
  constructor(private deps: { db: Db; clock: Clock }) {}

  /** Appends inside `db` (a transaction: see commands/tx.ts); listeners hear of it after commit via `emit`. */
  async append(e: NewEvent, db: Db = this.deps.db): Promise<AccessEvent> {
    const row = {
      id: newId('ev'),
      space_id: e.spaceId,
      at: (e.at ?? this.deps.clock.now()).toISOString(),
      type: e.type,
      door_id: e.doorId ?? null,
      unit_id: e.unitId ?? null,
      user_id: e.userId ?? null,
      member_id: e.memberId ?? null,
      result: e.result ?? null,
      reason: e.reason ?? null,
      data: e.data ? JSON.stringify(e.data) : null,
    };
    await db.insertInto('events').values(row).execute();
    return presentEvent(row);
  }

  emit(ev: AccessEvent): void {
    for (const l of this.listeners) l(ev);
  }

  subscribe(l: EventListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
