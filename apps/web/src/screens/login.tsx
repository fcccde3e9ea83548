import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api';
import { useI18n } from '../i18n';
import { COUNTRIES, defaultCountry, toE164 } from '../model/phone';
import type { StoredSession } from '../session';
import { useSmsLogin } from '../sms-login';
import { errorText } from './errors';

/** A short label for "my devices", e.g. "Chrome on Android". */
function deviceName(): string {
  const ua = navigator.userAgent;
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Mac OS/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : 'Linux';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrome\//.test(ua)
        ? 'Chrome'
        : 'Safari';
  return `${browser} on ${os}`;
}

export function Login(props: {
  onSignedIn: (s: StoredSession) => void;
  signedOut: boolean;
}) {
  const { t } = useI18n();
  const [country, setCountry] = useState(defaultCountry);
  const [typed, setTyped] = useState('');
  const [phone, setPhone] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const { busy, error, run, requestCode, verifyCode } = useSmsLogin(api, (e) =>
    errorText(t, e instanceof ApiError ? e.code : 'unknown'),
  );

  const sendCode = (e?: FormEvent) => {
    e?.preventDefault();
    const e164 = phone ?? toE164(country, typed);
    void run(async () => {
      await requestCode(e164);
      setPhone(e164);
      setCode('');
    });
  };

  const verify = (e: FormEvent) => {
    e.preventDefault();
    if (!phone) return;
    void run(async () =>
      props.onSignedIn(await verifyCode(phone, code.trim(), deviceName())),
    );
  };

  return (
    <main className="login">
      <div className="brand" aria-hidden="true">
        <img
          src={`${import.meta.env.BASE_URL}icon.svg`}
          alt=""
          width="56"
          height="56"
        />
      </div>
      <h1>{t('login.title')}</h1>
      {props.signedOut && <p className="notice">{t('login.signedOut')}</p>}
      {phone === null ? (
        <form onSubmit={sendCode} className="stack">
          <label className="field">
            <span>{t('login.country')}</span>
            <select
              value={country}
              onChange={(e) => setCountry(e.target.value)}
            >
              {COUNTRIES.map((c) => (
                <option key={c.iso} value={c.iso}>
                  {c.name} (+{c.dial})
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('login.phone')}</span>
            <input
              type="tel"
              inputMode="tel"
              autoComplete="tel-national"
              required
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
            />
          </label>
          <button
            className="primary"
            type="submit"
            disabled={busy || typed.trim() === ''}
          >
            {t('login.sendCode')}
          </button>
        </form>
      ) : (
        <form onSubmit={verify} className="stack">
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
          <button
            className="primary"
            type="submit"
            disabled={busy || code.length !== 6}
          >
            {t('login.verify')}
          </button>
          <div className="row">
            <button
              type="button"
              className="link"
              onClick={() => setPhone(null)}
            >
              {t('login.changeNumber')}
            </button>
            <button
              type="button"
              className="link"
              disabled={busy}
              onClick={() => sendCode()}
            >
              {t('login.resend')}
            </button>
          </div>
        </form>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </main>
  );
}
