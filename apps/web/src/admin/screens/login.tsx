import { type FormEvent, useState } from 'react';
import { useSmsLogin } from '../../sms-login';
import { api } from '../api';
import { LangSwitch } from '../components/lang-switch';
import { describeError, useI18n } from '../i18n';
import type { AdminSession } from '../session';

/** Phone number, then the 6-digit SMS code: no passwords. */
export function Login(props: {
  onSignedIn: (s: AdminSession) => void;
  signedOut: boolean;
}) {
  const { t } = useI18n();
  const [phone, setPhone] = useState('');
  const [sent, setSent] = useState(false);
  const [code, setCode] = useState('');
  const { busy, error, run, requestCode, verifyCode } = useSmsLogin(api, (e) =>
    describeError(t, e),
  );

  const sendCode = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await requestCode(phone);
      setSent(true);
    });
  };
  const verify = (e: FormEvent) => {
    e.preventDefault();
    void run(async () =>
      props.onSignedIn(await verifyCode(phone, code, 'Dashboard')),
    );
  };

  return (
    <main className="login">
      <div className="login-card">
        <h1>
          <span className="brand-mark" aria-hidden="true" /> {t('app.title')}
        </h1>
        <p className="muted">{t('login.intro')}</p>
        {props.signedOut && <p role="status">{t('login.signedOut')}</p>}
        {!sent ? (
          <form onSubmit={sendCode}>
            <label className="field">
              <span>{t('login.phone')}</span>
              <input
                type="tel"
                autoComplete="tel"
                required
                placeholder="+34 600 000 001"
                value={phone}
                onChange={(e) => setPhone(e.target.value)}
              />
            </label>
            <button type="submit" disabled={busy}>
              {t('login.sendCode')}
            </button>
          </form>
        ) : (
          <form onSubmit={verify}>
            <p>{t('login.codeSent', { phone })}</p>
            <label className="field">
              <span>{t('login.code')}</span>
              <input
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="\d{6}"
                maxLength={6}
                required
                value={code}
                onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
              />
            </label>
            <div className="row">
              <button type="submit" disabled={busy}>
                {t('login.signIn')}
              </button>
              <button
                type="button"
                className="secondary"
                onClick={() => setSent(false)}
              >
                {t('login.changePhone')}
              </button>
            </div>
          </form>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <LangSwitch />
      </div>
    </main>
  );
}
