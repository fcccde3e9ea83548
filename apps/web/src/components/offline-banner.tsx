import type { SyncStatus } from '@keyway/protocol';
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n';

/** Shown while the live link is down; a short grace period hides the normal connect at start. */
export function OfflineBanner({ status }: { status: SyncStatus }) {
  const { t } = useI18n();
  const down = status === 'offline' || status === 'connecting';
  const [show, setShow] = useState(false);
  useEffect(() => {
    if (!down) {
      setShow(false);
      return;
    }
    const id = setTimeout(
      () => setShow(true),
      status === 'offline' ? 300 : 2500,
    );
    return () => clearTimeout(id);
  }, [down, status]);
  return (
    <div
      className="offline"
      role="status"
      aria-live="polite"
      data-testid="offline-banner"
    >
      {show ? <span>{t('offline')}</span> : null}
    </div>
  );
}
