import { type AccessEvent, canAdminister, type Member } from '@keyway/protocol';
import { useState } from 'react';
import { ApiError, api } from '../../api';
import { SpaceTabs } from '../../components/space-tabs';
import { useI18n } from '../../i18n';
import type { SpaceModel } from '../../model/view';
import { errorText } from '../errors';
import { summary, weekdayNames } from './access-form';
import { LiveEvents } from './live-events';
import { MemberForm } from './member-form';
import './manage.css';

/** Mobile management: a space's members (add, edit, revoke) and its live events. All live. */
export default function Manage(props: {
  spaces: SpaceModel[];
  events: readonly AccessEvent[];
  myPhone: string;
}) {
  const { t, lang } = useI18n();
  const [chosen, setChosen] = useState<string | null>(null);
  const [editing, setEditing] = useState<Member | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const space = props.spaces.find((s) => s.id === chosen) ?? props.spaces[0];
  if (!space?.admin) return null;
  const canWrite = canAdminister(space.role, 'admin.write');
  const names = weekdayNames(lang);

  const revoke = async (m: Member) => {
    if (!window.confirm(t('manage.revokeConfirm', { name: m.name ?? m.phone })))
      return;
    setError(null);
    try {
      await api('DELETE', `/v1/members/${m.id}`);
    } catch (e) {
      setError(e instanceof ApiError ? e.code : 'unknown');
    }
  };

  return (
    <div className="manage">
      {props.spaces.length > 1 ? (
        <SpaceTabs
          spaces={props.spaces}
          selected={space.id}
          onSelect={(id) => {
            setChosen(id);
            setEditing(null);
          }}
          label={t('manage.space')}
        />
      ) : (
        <h1 className="space-name">{space.name}</h1>
      )}
      <div
        id={`space-${space.id}`}
        role={props.spaces.length > 1 ? 'tabpanel' : undefined}
      >
        {!canWrite && <p className="notice">{t('manage.readOnly')}</p>}
        {editing !== null && canWrite ? (
          <MemberForm
            key={editing === 'new' ? 'new' : editing.id}
            space={space}
            member={editing === 'new' ? null : editing}
            myPhone={props.myPhone}
            onDone={() => setEditing(null)}
          />
        ) : (
          <section aria-labelledby="members-title" className="card">
            <div className="section-head">
              <h2 id="members-title">{t('manage.members')}</h2>
              {canWrite && (
                <button
                  type="button"
                  className="primary small"
                  onClick={() => setEditing('new')}
                >
                  {t('manage.add')}
                </button>
              )}
            </div>
            {error && (
              <p role="alert" className="error">
                {errorText(t, error)}
              </p>
            )}
            <ul className="members">
              {space.admin.members.map((m) => (
                <li key={m.id}>
                  <div>
                    <strong>{m.name ?? m.phone}</strong>
                    {m.name && <span className="muted">{m.phone}</span>}
                    <span className="muted">
                      {summary(m.access, (d) => names[d])}
                    </span>
                  </div>
                  {canWrite && (
                    <div className="row">
                      <button
                        type="button"
                        className="secondary small"
                        aria-label={`${t('manage.edit')} ${m.name ?? m.phone}`}
                        onClick={() => setEditing(m)}
                      >
                        {t('manage.edit')}
                      </button>
                      <button
                        type="button"
                        className="secondary small danger"
                        aria-label={`${t('manage.revoke')} ${m.name ?? m.phone}`}
                        onClick={() => revoke(m)}
                      >
                        {t('manage.revoke')}
                      </button>
                    </div>
                  )}
                </li>
              ))}
            </ul>
          </section>
        )}
        <LiveEvents key={space.id} space={space} live={props.events} />
      </div>
    </div>
  );
}
