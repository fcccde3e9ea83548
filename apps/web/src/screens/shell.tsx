import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { OfflineBanner } from '../components/offline-banner';
import { useI18n } from '../i18n';
import { spacesOf } from '../model/view';
import { hrefOf, type Route, useRoute } from '../route';
import type { StoredSession } from '../session';
import { LiveStore, useLive } from '../store';
import { History } from './history';
import { Home } from './home';
import { Settings } from './settings';

// Management is for admins only: its code loads on first use, not with the app.
const Manage = lazy(() => import('./manage/manage'));

export interface ShellProps {
  session: StoredSession;
  onLogout: (byServer: boolean) => void;
}

export function Shell({ session, onLogout }: ShellProps) {
  const { t } = useI18n();
  const [store] = useState(
    () => new LiveStore(session.user.id, session.token, () => onLogout(true)),
  );
  useEffect(() => {
    store.start();
    return () => store.stop();
  }, [store]);
  const live = useLive(store);
  const spaces = useMemo(
    () => spacesOf(live.view, session.user.id),
    [live.view, session.user.id],
  );
  const [route, go] = useRoute();
  const managed = spaces.filter((s) => s.role !== null);

  const tabs: { id: Route; label: string }[] = [
    { id: 'doors', label: t('nav.doors') },
    { id: 'history', label: t('nav.history') },
    ...(managed.length
      ? [{ id: 'manage' as const, label: t('nav.manage') }]
      : []),
    { id: 'settings', label: t('nav.settings') },
  ];

  return (
    <div className="shell">
      <header className="top">
        <span className="logo">{t('appName')}</span>
      </header>
      <OfflineBanner status={live.status} />
      <main className="content" id="main">
        {route === 'doors' && <Home spaces={spaces} userId={session.user.id} />}
        {route === 'history' && (
          <History
            spaces={spaces}
            userId={session.user.id}
            live={live.events}
          />
        )}
        {route === 'manage' && (
          <Suspense fallback={<p className="muted">…</p>}>
            <Manage
              spaces={managed}
              events={live.events}
              myPhone={session.user.phone}
            />
          </Suspense>
        )}
        {route === 'settings' && (
          <Settings session={session} onLogout={onLogout} />
        )}
      </main>
      <nav className="bottom" aria-label={t('nav.main')}>
        {tabs.map((tab) => (
          <a
            key={tab.id}
            href={hrefOf(tab.id)}
            aria-current={route === tab.id ? 'page' : undefined}
            onClick={(e) => {
              if (e.metaKey || e.ctrlKey || e.shiftKey) return;
              e.preventDefault();
              go(tab.id);
            }}
          >
            <span className={`ico ico-${tab.id}`} aria-hidden="true" />
            {tab.label}
          </a>
        ))}
      </nav>
    </div>
  );
}
