import type { AccessEvent } from '@keyway/protocol';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api';
import { type MessageKey, useI18n } from '../../i18n';
import { formatTime } from '../../model/format';
import type { SpaceModel } from '../../model/view';
import { errorText } from '../errors';

/** The space's access log: the last page from the API, then every event the sync pushes. */
export function LiveEvents(props: {
  space: SpaceModel;
  live: readonly AccessEvent[];
}) {
  const { t, lang } = useI18n();
  const { space } = props;
  const [loaded, setLoaded] = useState<AccessEvent[]>([]);
  useEffect(() => {
    let cancelled = false;
    api<{ events: AccessEvent[] }>(
      'GET',
      `/v1/spaces/${space.id}/events?limit=30`,
    ).then(
      (r) => !cancelled && setLoaded(r.events),
      () => {}, // offline: the live ones still show
    );
    return () => {
      cancelled = true;
    };
  }, [space.id]);

  const events = useMemo(() => {
    const byId = new Map<string, AccessEvent>();
    for (const e of [...props.live, ...loaded])
      if (e.spaceId === space.id) byId.set(e.id, e);
    return [...byId.values()]
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, 50);
  }, [props.live, loaded, space.id]);

  const admin = space.admin;
  const door = (id: string | null) =>
    admin?.doors.find((d) => d.id === id)?.name ?? '—';
  const nameOf = (p: { name: string | null; phone: string } | undefined) =>
    p?.name ?? p?.phone;
  // A member acting (opening) is found by memberId; an admin acting (changing) by userId.
  const who = (e: AccessEvent) =>
    nameOf(admin?.members.find((x) => x.id === e.memberId)) ??
    nameOf(admin?.admins.find((x) => x.userId === e.userId)) ??
    nameOf(admin?.members.find((x) => x.userId === e.userId)) ??
    t('event.someone');
  const actor = (e: AccessEvent) =>
    nameOf(admin?.admins.find((x) => x.userId === e.userId)) ??
    t('event.someone');
  const target = (e: AccessEvent) =>
    nameOf(admin?.members.find((x) => x.id === e.memberId)) ??
    t('event.someone');
  const change = (e: AccessEvent) => {
    if (e.reason === 'member.create')
      return t('event.memberAdded', { who: actor(e), target: target(e) });
    if (e.reason === 'member.update')
      return t('event.memberChanged', { who: actor(e), target: target(e) });
    if (e.reason === 'member.delete')
      return t('event.memberRevoked', { who: actor(e) });
    return t('event.change', { who: actor(e) });
  };
  const text = (e: AccessEvent) => {
    switch (e.type) {
      case 'door.open':
        return e.result === 'granted'
          ? t('event.opened', { who: who(e), door: door(e.doorId) })
          : t('event.refused', {
              who: who(e),
              door: door(e.doorId),
              reason: errorText(t, e.reason ?? e.result ?? 'unknown'),
            });
      case 'door.state':
        return t('event.state', {
          door: door(e.doorId),
          state: t(`state.${e.reason ?? 'unknown'}` as MessageKey),
        });
      case 'unit.online':
        return t('event.unitOnline');
      case 'unit.offline':
        return t('event.unitOffline');
      default:
        return change(e);
    }
  };

  return (
    <section aria-labelledby="events-title" className="card">
      <h2 id="events-title">{t('manage.events')}</h2>
      {events.length === 0 && <p className="muted">{t('manage.noEvents')}</p>}
      <ul className="events compact" aria-live="polite">
        {events.map((e) => (
          <li
            key={e.id}
            className={e.result && e.result !== 'granted' ? 'ev refused' : 'ev'}
          >
            <time dateTime={e.at}>
              {formatTime(new Date(e.at), lang, space.timezone)}
            </time>
            <span className="ev-text">{text(e)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
