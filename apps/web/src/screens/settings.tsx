import type { Session } from '@keyway/protocol';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from '../api';
import { LANGS, type Lang, useI18n } from '../i18n';
import { formatDateTime } from '../model/format';
import type { StoredSession } from '../session';
import { errorText } from './errors';
import { PasscodeSettings } from './passcode-settings';

/** My devices (sessions: revoke a lost phone, log out), the passcode lock, the language. */
export function Settings(props: {
  session: StoredSession;
  onLogout: (byServer: boolean) => void;
}) {
  const { t, lang, setLang } = useI18n();
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api<{ sessions: Session[] }>('GET', '/v1/me').then(
      // This device first, then the others, newest first.
      (me) =>
        setSessions(
          [...me.sessions].sort(
            (a, b) =>
              Number(b.current) - Number(a.current) ||
              b.createdAt.localeCompare(a.createdAt),
          ),
        ),
      (e) => setError(e instanceof ApiError ? e.code : 'unknown'),
    );
  }, []);
  useEffect(load, [load]);

  const revoke = async (id: string) => {
    try {
      await api('DELETE', `/v1/me/sessions/${id}`);
      load();
    } catch (e) {
      setError(e instanceof ApiError ? e.code : 'unknown');
    }
  };
  const logout = async () => {
    // Leave even when the server cannot be reached: the token is forgotten here either way.
    await api('POST', '/v1/auth/logout').catch(() => {});
    props.onLogout(false);
  };

  return (
    <div className="settings">
      <h1 className="sr-only">{t('nav.settings')}</h1>
      <section aria-labelledby="devices-title" className="card">
        <h2 id="devices-title">{t('settings.devices')}</h2>
        <p className="muted">
          {t('settings.account', { phone: props.session.user.phone })}
        </p>
        {error && (
          <p role="alert" className="error">
            {errorText(t, error)}
          </p>
        )}
        <ul className="sessions">
          {sessions?.map((s) => {
            const name = s.deviceName ?? t('settings.unnamed');
            return (
              <li key={s.id} data-session={s.id}>
                <div className="grow">
                  <span className="name-line">
                    <strong>{name}</strong>
                    {s.current && (
                      <span className="badge">{t('settings.thisDevice')}</span>
                    )}
                  </span>
                  <span className="muted">
                    {t('settings.lastSeen', {
                      date: formatDateTime(new Date(s.lastSeenAt), lang),
                    })}
                  </span>
                </div>
                {!s.current && (
                  <button
                    type="button"
                    className="secondary small danger"
                    aria-label={t('settings.revoke', { device: name })}
                    onClick={() => revoke(s.id)}
                  >
                    {t('manage.revoke')}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
        <button type="button" className="secondary wide" onClick={logout}>
          {t('settings.logout')}
        </button>
      </section>
      <PasscodeSettings userId={props.session.user.id} />
      <section aria-labelledby="lang-title" className="card">
        <h2 id="lang-title">{t('settings.language')}</h2>
        <label className="field">
          <span className="sr-only">{t('settings.language')}</span>
          <select
            value={lang}
            onChange={(e) => setLang(e.target.value as Lang)}
          >
            {LANGS.map((l) => (
              <option key={l.id} value={l.id} lang={l.id}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
      </section>
    </div>
  );
}
