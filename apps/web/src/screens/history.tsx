import type { AccessEvent } from '@keyway/protocol';
import { useEffect, useMemo, useState } from 'react';
import { ApiError, api } from '../api';
import { useI18n } from '../i18n';
import { formatDateTime } from '../model/format';
import type { SpaceModel } from '../model/view';
import { errorText } from './errors';

const PAGE = 50;

/** Her recent opens and refusals: the access log's first page per space, then live pushes. */
export function History(props: {
  spaces: SpaceModel[];
  userId: string;
  live: readonly AccessEvent[];
}) {
  const { t, lang } = useI18n();
  const [loaded, setLoaded] = useState<AccessEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ids = props.spaces.map((s) => s.id).join(',');

  useEffect(() => {
    let cancelled = false;
    const spaceIds = ids ? ids.split(',') : [];
    Promise.all(
      spaceIds.map((id) =>
        api<{ events: AccessEvent[] }>(
          'GET',
          `/v1/spaces/${id}/events?type=door.open&limit=${PAGE}`,
        ),
      ),
    ).then(
      (pages) => !cancelled && setLoaded(pages.flatMap((p) => p.events)),
      (e) => !cancelled && setError(e instanceof ApiError ? e.code : 'unknown'),
    );
    return () => {
      cancelled = true;
    };
  }, [ids]);

  const events = useMemo(() => {
    const byId = new Map<string, AccessEvent>();
    // An admin's page holds everyone's opens: this screen is hers only.
    for (const e of [...props.live, ...(loaded ?? [])])
      if (e.type === 'door.open' && e.userId === props.userId)
        byId.set(e.id, e);
    return [...byId.values()]
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, 100);
  }, [props.live, loaded, props.userId]);

  const doorName = new Map<string, string>();
  const zone = new Map<string, string>();
  for (const s of props.spaces) {
    zone.set(s.id, s.timezone);
    for (const d of s.doors) doorName.set(d.id, d.name);
    for (const d of s.admin?.doors ?? []) doorName.set(d.id, d.name);
  }

  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">{t('history.title')}</h1>
      {error && (
        <p role="alert" className="error">
          {errorText(t, error)}
        </p>
      )}
      {loaded !== null && events.length === 0 && (
        <p className="empty">{t('history.empty')}</p>
      )}
      <ul className="events">
        {events.map((e) => {
          const ok = e.result === 'granted';
          return (
            <li key={e.id} className={ok ? 'ev ok' : 'ev refused'}>
              <span className="ev-mark" aria-hidden="true">
                {ok ? '✓' : '✕'}
              </span>
              <div>
                <strong>
                  {e.doorId ? (doorName.get(e.doorId) ?? '—') : '—'}
                </strong>
                <span className="ev-what">
                  {ok
                    ? t('history.opened')
                    : `${t('history.refused')}: ${errorText(t, e.reason ?? e.result ?? 'unknown')}`}
                </span>
                <time dateTime={e.at} className="muted">
                  {formatDateTime(new Date(e.at), lang, zone.get(e.spaceId))}
                </time>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
