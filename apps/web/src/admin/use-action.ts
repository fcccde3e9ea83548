import { useState } from 'react';
import { describeError, useI18n } from './i18n';

/** Runs one write at a time, keeping its busy flag and its error sentence for the form. */
export function useAction() {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (e) {
      setError(describeError(t, e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}
