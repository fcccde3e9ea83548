import { useEffect, useState } from 'react';
import { api } from '../api';
import { LangSwitch } from '../components/lang-switch';
import { useI18n } from '../i18n';
import { AdminLive, LiveContext, useLive } from '../live';
import { useRoute } from '../route';
import type { AdminSession } from '../session';
import { SpaceShell } from './space-shell';
import { SpacesList } from './spaces';

/** The signed-in console: one live sync connection for every space she administers. */
export function Dashboard(props: {
  session: AdminSession;
  onLogout: (byServer: boolean) => void;
}) {
  const { onLogout, session } = props;
  const [live] = useState(
    () => new AdminLive(session.token, () => onLogout(true)),
  );
  useEffect(() => {
    live.start();
    return () => live.stop();
  }, [live]);
  return (
    <LiveContext.Provider value={live}>
      <Frame session={session} onLogout={onLogout} />
    </LiveContext.Provider>
  );
}

function Frame(props: {
  session: AdminSession;
  onLogout: (byServer: boolean) => void;
}) {
  const { t } = useI18n();
  const { status } = useLive();
  const [route, go] = useRoute();
  const logout = async () => {
    await api('POST', '/v1/auth/logout').catch(() => {});
    props.onLogout(false);
  };
  return (
    <div className="app">
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <a
          className="brand"
          href={import.meta.env.BASE_URL}
          onClick={(e) => {
            e.preventDefault();
            go({ spaceId: null, tab: 'home' });
          }}
        >
          <span className="brand-mark" aria-hidden="true" /> {t('app.title')}
        </a>
        <span
          className={`sync sync-${status}`}
          role="status"
          aria-live="polite"
        >
          {t(`sync.${status}`)}
        </span>
        <span className="spacer" />
        <LangSwitch />
        <span className="muted">{props.session.user.phone}</span>
        <button
          type="button"
          className="secondary"
          onClick={() => void logout()}
        >
          {t('app.logout')}
        </button>
      </header>
      <main id="main">
        {route.spaceId ? (
          <SpaceShell route={route} go={go} userId={props.session.user.id} />
        ) : (
          <SpacesList
            userId={props.session.user.id}
            open={(spaceId) => go({ spaceId, tab: 'home' })}
          />
        )}
      </main>
    </div>
  );
}
