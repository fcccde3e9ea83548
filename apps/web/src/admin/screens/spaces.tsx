import { type FormEvent, useMemo, useState } from 'react';
import { api } from '../api';
import { count, describeError, useI18n } from '../i18n';
import { useLive } from '../live';
import { roleOf, spaceModel, spacesOf } from '../model/space';

/** The spaces where she is owner, admin or viewer, live; and a form to create one. */
export function SpacesList(props: {
  userId: string;
  open: (spaceId: string) => void;
}) {
  const { t } = useI18n();
  const { view, ready } = useLive();
  const models = useMemo(
    () => spacesOf(view).flatMap((s) => spaceModel(view, s.id) ?? []),
    [view],
  );
  return (
    <section aria-labelledby="spaces-title">
      <h1 id="spaces-title">{t('spaces.title')}</h1>
      {!ready && <p className="empty">{t('app.loading')}</p>}
      {ready && models.length === 0 && (
        <p className="empty">{t('spaces.none')}</p>
      )}
      <ul className="cards">
        {models.map((m) => {
          const role = roleOf(m, props.userId);
          const online = m.units.filter((u) => u.online).length;
          return (
            <li key={m.space.id} className="card space-card">
              <h2>
                <a
                  href={`${import.meta.env.BASE_URL}spaces/${m.space.id}/home`}
                  onClick={(e) => {
                    e.preventDefault();
                    props.open(m.space.id);
                  }}
                >
                  {m.space.name}
                </a>
              </h2>
              <p>
                <span className="badge">{role ? t(`role.${role}`) : ''}</span>{' '}
                <span className="muted">{m.space.timezone}</span>
              </p>
              <p className="muted">
                {t('spaces.counts', {
                  doors: count(t, m.doors.length, 'doors'),
                  members: count(t, m.members.length, 'members'),
                  online,
                  units: m.units.length,
                })}
              </p>
            </li>
          );
        })}
      </ul>
      <NewSpace />
    </section>
  );
}

function NewSpace() {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [timezone, setTimezone] = useState(
    () => Intl.DateTimeFormat().resolvedOptions().timeZone,
  );
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', '/v1/spaces', { name, timezone });
      setName('');
    } catch (err) {
      setError(describeError(t, err));
    }
  };
  return (
    <form
      className="card inline-form"
      onSubmit={(e) => void submit(e)}
      aria-labelledby="new-space"
    >
      <h2 id="new-space">{t('spaces.new')}</h2>
      <label className="field">
        <span>{t('field.name')}</span>
        <input
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <label className="field">
        <span>{t('field.timezone')}</span>
        <input
          required
          value={timezone}
          onChange={(e) => setTimezone(e.target.value)}
        />
      </label>
      <button type="submit">{t('spaces.create')}</button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
