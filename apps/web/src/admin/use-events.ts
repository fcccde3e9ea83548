import type { AccessEvent, EventsResponse } from '@keyway/protocol';
import { useEffect, useMemo, useState } from 'react';
import type { z } from 'zod';
import { api, errorMessage, query } from './api';
import { useLive } from './live';
import { mergeEvents } from './model/insights';

export interface EventFilter {
  doorId?: string;
  memberId?: string;
  type?: string;
  from?: string;
  to?: string;
}

/** Does a pushed event belong in a list fetched with this filter? */
export function matches(
  e: AccessEvent,
  spaceId: string,
  f: EventFilter,
): boolean {
  return (
    e.spaceId === spaceId &&
    (!f.doorId || e.doorId === f.doorId) &&
    (!f.memberId || e.memberId === f.memberId) &&
    (!f.type || e.type === f.type) &&
    (!f.from || e.at >= new Date(f.from).toISOString()) &&
    (!f.to || e.at <= new Date(f.to).toISOString())
  );
}

/**
 * The access log for a filter: pages from GET /v1/spaces/{id}/events, with the events the sync
 * stream pushes since merged in live (newest first).
 */
export function useEvents(
  spaceId: string,
  filter: EventFilter,
  opts: { pages?: number; limit?: number } = {},
) {
  const { events: pushed } = useLive();
  const [fetched, setFetched] = useState<AccessEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(filter);
  const { pages = 1, limit = 200 } = opts;

  useEffect(() => {
    let cancelled = false;
    const f = JSON.parse(key) as EventFilter;
    setLoading(true);
    setError(null);
    (async () => {
      const all: AccessEvent[] = [];
      let cursor: string | null = null;
      for (let p = 0; p < pages; p++) {
        const q = query({ ...f, limit, cursor });
        const res: z.infer<typeof EventsResponse> = await api(
          'GET',
          `/v1/spaces/${spaceId}/events${q}`,
        );
        all.push(...res.events);
        cursor = res.nextCursor;
        if (!cursor) break;
      }
      if (cancelled) return;
      setFetched(all);
      setNext(cursor);
    })()
      .catch((e) => !cancelled && setError(errorMessage(e)))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [spaceId, key, pages, limit]);

  const more = async () => {
    if (!next) return;
    const f = JSON.parse(key) as EventFilter;
    const res: z.infer<typeof EventsResponse> = await api(
      'GET',
      `/v1/spaces/${spaceId}/events${query({ ...f, limit, cursor: next })}`,
    );
    setFetched((old) => [...old, ...res.events]);
    setNext(res.nextCursor);
  };

  const events = useMemo(() => {
    const f = JSON.parse(key) as EventFilter;
    return mergeEvents(
      pushed.filter((e) => matches(e, spaceId, f)),
      fetched,
    );
  }, [pushed, fetched, spaceId, key]);

  return { events, loading, error, hasMore: next !== null, more };
}
