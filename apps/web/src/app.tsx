import { useCallback, useEffect, useMemo, useState } from 'react';
import { setToken, setUnauthorizedHandler } from './api';
import {
  I18nContext,
  initialLang,
  type Lang,
  saveLang,
  translator,
} from './i18n';
import { Login } from './screens/login';
import { Shell } from './screens/shell';
import {
  clearSession,
  loadSession,
  type StoredSession,
  saveSession,
} from './session';

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [session, setSession] = useState<StoredSession | null>(() => {
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
  }, [lang]);

  const logout = useCallback((byServer: boolean) => {
    clearSession();
    setToken(null);
    setSession(null);
    setSignedOut(byServer);
  }, []);
  useEffect(() => setUnauthorizedHandler(() => logout(true)), [logout]);

  const signIn = (s: StoredSession) => {
    saveSession(s);
    setToken(s.token);
    setSignedOut(false);
    setSession(s);
  };

  return (
    <I18nContext.Provider value={i18n}>
      {session ? (
        <Shell key={session.sessionId} session={session} onLogout={logout} />
      ) : (
        <Login onSignedIn={signIn} signedOut={signedOut} />
      )}
    </I18nContext.Provider>
  );
}
