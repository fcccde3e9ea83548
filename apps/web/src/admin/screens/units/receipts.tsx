import type { ReceiptsResponse } from '@keyway/protocol';
import { useEffect, useState } from 'react';
import type { z } from 'zod';
import { api, errorMessage } from '../../api';
import { count, useI18n } from '../../i18n';
import { useLive } from '../../live';
import { formatInstant } from '../../model/format';
import { useSpace } from '../../space-context';

type Receipt = z.infer<typeof ReceiptsResponse>['receipts'][number];

/** Delivery receipts: for each recent change, how many units, phones and dashboards applied it. */
export function Receipts() {
  const { t, lang } = useI18n();
  const { model } = useSpace();
  const { version } = useLive();
  const [receipts, setReceipts] = useState<Receipt[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const spaceId = model.space.id;

  // Refetch on every pushed change (throttled), and every few seconds while something is pending.
  // biome-ignore lint/correctness/useExhaustiveDependencies: version and tick are the refresh triggers
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      api<z.infer<typeof ReceiptsResponse>>(
        'GET',
        `/v1/spaces/${spaceId}/receipts?limit=10`,
      )
        .then((r) => {
          if (cancelled) return;
          setReceipts(r.receipts);
          setError(null);
        })
        .catch((e) => !cancelled && setError(errorMessage(e)));
    }, 400);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [spaceId, version, tick]);
  const pending = receipts.some(
    (r) => r.units.pending.length || r.phones.pending.length,
  );
  useEffect(() => {
    if (!pending) return;
    const id = setInterval(() => setTick((n) => n + 1), 3000);
    return () => clearInterval(id);
  }, [pending]);

  const counts = (c: Receipt['units']) => `${c.received} / ${c.total}`;
  // Who has not applied it yet, for the tooltip: "unit_x1 (at #41)".
  const pendingOf = (c: Receipt['units']) =>
    c.pending.length
      ? `${t('receipts.pending')}: ${c.pending.map((p) => p.clientId).join(', ')}`
      : undefined;
  return (
    <section className="card" aria-labelledby="receipts-title">
      <h2 id="receipts-title">{t('receipts.title')}</h2>
      <p className="muted">{t('receipts.help')}</p>
      {error && <p className="error">{error}</p>}
      <table>
        <thead>
          <tr>
            <th scope="col">{t('log.when')}</th>
            <th scope="col">{t('receipts.change')}</th>
            <th scope="col">{t('receipts.units')}</th>
            <th scope="col">{t('receipts.phones')}</th>
            <th scope="col">{t('receipts.dashboards')}</th>
          </tr>
        </thead>
        <tbody>
          {receipts.map((r) => (
            <tr key={r.cursor}>
              <td>{formatInstant(r.at, model.space.timezone, lang, true)}</td>
              <td>
                {[
                  count(t, r.ops, 'updates'),
                  r.events ? count(t, r.events, 'entries') : '',
                ]
                  .filter(Boolean)
                  .join(', ')}
              </td>
              <td
                className={r.units.pending.length ? 'warn' : ''}
                title={pendingOf(r.units)}
              >
                {r.units.total
                  ? t('receipts.appliedOn', {
                      n: r.units.received,
                      of: r.units.total,
                    })
                  : '—'}
              </td>
              <td title={pendingOf(r.phones)}>
                {r.phones.total ? counts(r.phones) : '—'}
              </td>
              <td title={pendingOf(r.dashboards)}>
                {r.dashboards.total ? counts(r.dashboards) : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {receipts.length === 0 && <p className="empty">{t('receipts.none')}</p>}
    </section>
  );
}
