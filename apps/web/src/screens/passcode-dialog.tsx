import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n';

/** Modal passcode prompt before an open; four digits submit by themselves. Esc cancels. */
export function PasscodeDialog(props: {
  door: string;
  wrong: boolean;
  onSubmit: (code: string) => Promise<void>;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const [code, setCode] = useState('');
  const [checking, setChecking] = useState(false);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  const submit = async (value: string) => {
    setChecking(true);
    try {
      await props.onSubmit(value);
    } finally {
      // Still here means it was wrong (a right one closes the dialog): start over.
      setChecking(false);
      setCode('');
    }
  };

  return (
    <dialog
      ref={ref}
      className="sheet"
      aria-labelledby="passcode-title"
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <form
        method="dialog"
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (code.length === 4) void submit(code);
        }}
      >
        <h2 id="passcode-title">{t('door.openLabel', { door: props.door })}</h2>
        <label className="field">
          <span>{t('open.passcode')}</span>
          <input
            className="pin"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={4}
            autoFocus
            value={code}
            readOnly={checking}
            aria-invalid={props.wrong || undefined}
            onChange={(e) => {
              const v = e.target.value.replace(/\D/g, '').slice(0, 4);
              setCode(v);
              if (v.length === 4) void submit(v);
            }}
          />
        </label>
        {props.wrong && (
          <p role="alert" className="error">
            {t('open.wrongPasscode')}
          </p>
        )}
        <div className="row">
          <button type="button" className="secondary" onClick={props.onCancel}>
            {t('open.cancel')}
          </button>
          <button
            type="submit"
            className="primary"
            disabled={code.length !== 4 || checking}
          >
            {t('open.confirm')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
