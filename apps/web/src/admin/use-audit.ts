import type { AuditEntry, AuditResponse } from '@keyway/protocol';
import { useEffect, useState } from 'react';
import type { z } from 'zod';
import { api, errorMessage, query } from './api';
import { useLive } from './live';
import { mergeNewest } from './model/audit';

export interface AuditFilter {
  actor?: string | undefined;
  objectType?: string | undefined;
  from?: string | undefined;
  until?: string | undefined;
}

type Page = z.infer<typeof AuditResponse>;
const LIMIT = 50;

/** The audit trail's path for a filter (the page, or `.csv` for the export). */
export const auditPath = (
  spaceId: string,
  filter: AuditFilter,
  extra: Record<string, string | number | null | undefined> = {},
  csv = false,
) =>
  `/v1/spaces/${encodeURIComponent(spaceId)}/audit${csv ? '.csv' : ''}${query({ ...filter, ...extra })}`;

/**
 * The audit trail for a filter, a page at a time from GET /v1/spaces/{id}/audit, newest first;
 * every pushed change (an admin action writes one) fetches the first page again and puts what
 * is new in front.
 */
export function useAudit(spaceId: string, filter: AuditFilter) {
  const { version } = useLive();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(filter);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    setError(null);
    api<Page>('GET', auditPath(spaceId, JSON.parse(key), { limit: LIMIT }))
      .then((page) => {
        if (cancelled) return;
        setEntries(page.entries);
        setNext(page.nextCursor);
      })
      .catch((e) => !cancelled && setError(errorMessage(e)))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [spaceId, key]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the refresh trigger
  useEffect(() => {
    if (version === 0) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      api<Page>('GET', auditPath(spaceId, JSON.parse(key), { limit: LIMIT }))
        .then((page) => {
          if (!cancelled)
            setEntries((shown) => mergeNewest(page.entries, shown));
        })
        .catch(() => {});
    }, 300);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [version]);

  const more = async () => {
    if (!next) return;
    try {
      const page = await api<Page>(
        'GET',
        auditPath(spaceId, JSON.parse(key), { limit: LIMIT, cursor: next }),
      );
      setEntries((shown) => [...shown, ...page.entries]);
      setNext(page.nextCursor);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return { entries, loading, error, hasMore: next !== null, more };
}
