import { useCallback, useEffect, useMemo, useState } from 'react';
import { setToken, setUnauthorizedHandler } from './api';
import {
  I18nContext,
  initialLang,
  type Lang,
  saveLang,
  translator,
} from './i18n';
import { Dashboard } from './screens/dashboard';
import { Login } from './screens/login';
import {
  type AdminSession,
  clearSession,
  loadSession,
  saveSession,
} from './session';

/** The dashboard: SMS-code login, then the live console. */
export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [session, setSession] = useState<AdminSession | null>(() => {
    const s = loadSession();
    setToken(s?.token ?? null);
    return s;
  });
  const [signedOut, setSignedOut] = useState(false);

  const i18n = useMemo(
    () => ({
      lang,
      t: translator(lang),
      setLang: (l: Lang) => {
        saveLang(l);
        setLangState(l);
      },
    }),
    [lang],
  );
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = i18n.t('app.title');
  }, [lang, i18n]);

  const logout = useCallback((byServer: boolean) => {
    clearSession();
    setToken(null);
    setSession(null);
    setSignedOut(byServer);
  }, []);
  useEffect(() => setUnauthorizedHandler(() => logout(true)), [logout]);

  const signIn = (s: AdminSession) => {
    saveSession(s);
    setToken(s.token);
    setSignedOut(false);
    setSession(s);
  };

  return (
    <I18nContext.Provider value={i18n}>
      {session ? (
        <Dashboard
          key={session.sessionId}
          session={session}
          onLogout={logout}
        />
      ) : (
        <Login onSignedIn={signIn} signedOut={signedOut} />
      )}
    </I18nContext.Provider>
  );
}
