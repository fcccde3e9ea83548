import { type FormEvent, useState } from 'react';
import { useI18n } from '../i18n';
import {
  clearPasscode,
  hasPasscode,
  isPasscodeFormat,
  setPasscode,
  verifyPasscode,
} from '../model/passcode';

const digits = (v: string) => v.replace(/\D/g, '').slice(0, 4);

/** Set, or remove (knowing the current one), the 4-digit passcode asked at every open. */
export function PasscodeSettings({ userId }: { userId: string }) {
  const { t } = useI18n();
  const [on, setOn] = useState(() => hasPasscode(userId));
  const [first, setFirst] = useState('');
  const [second, setSecond] = useState('');
  const [current, setCurrent] = useState('');
  const [message, setMessage] = useState<string | null>(null);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!isPasscodeFormat(first))
      return setMessage(t('settings.passcodeFormat'));
    if (first !== second) return setMessage(t('settings.passcodeMismatch'));
    await setPasscode(userId, first);
    setFirst('');
    setSecond('');
    setMessage(null);
    setOn(true);
  };
  const remove = async (e: FormEvent) => {
    e.preventDefault();
    if (!(await verifyPasscode(userId, current))) {
      setCurrent('');
      return setMessage(t('open.wrongPasscode'));
    }
    clearPasscode(userId);
    setCurrent('');
    setMessage(null);
    setOn(false);
  };
  const pin = (label: string, value: string, set: (v: string) => void) => (
    <label className="field">
      <span>{label}</span>
      <input
        className="pin"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        maxLength={4}
        value={value}
        onChange={(e) => set(digits(e.target.value))}
      />
    </label>
  );

  return (
    <section aria-labelledby="passcode-title" className="card">
      <h2 id="passcode-title">{t('settings.passcode')}</h2>
      <p className="muted">
        {on ? t('settings.passcodeOn') : t('settings.passcodeOff')}
      </p>
      {on ? (
        <form onSubmit={remove} className="stack">
          {pin(t('settings.passcodeCurrent'), current, setCurrent)}
          <button
            type="submit"
            className="secondary"
            disabled={current.length !== 4}
          >
            {t('settings.passcodeRemove')}
          </button>
        </form>
      ) : (
        <form onSubmit={save} className="stack">
          {pin(t('settings.passcodeNew'), first, setFirst)}
          {pin(t('settings.passcodeRepeat'), second, setSecond)}
          <button
            type="submit"
            className="primary"
            disabled={first.length !== 4}
          >
            {t('settings.passcodeSet')}
          </button>
        </form>
      )}
      {message && (
        <p role="alert" className="error">
          {message}
        </p>
      )}
    </section>
  );
}
