import { EventType } from '@keyway/protocol';
import { useState } from 'react';
import { type MessageKey, useI18n } from '../../i18n';
import { download, toCsv } from '../../model/csv';
import { doorName, rowClass, what, who } from '../../model/describe-event';
import { formatInstant, fromLocalInput } from '../../model/format';
import { memberLabel } from '../../model/space';
import { useSpace } from '../../space-context';
import { type EventFilter, useEvents } from '../../use-events';

const SHOWN = 300;

/** The live access log with filters and CSV export. */
export function EventLog() {
  const { t, lang } = useI18n();
  const { model } = useSpace();
  const tz = model.space.timezone;
  const [form, setForm] = useState({
    doorId: '',
    memberId: '',
    type: '',
    from: '',
    to: '',
  });
  const filter: EventFilter = {
    doorId: form.doorId || undefined,
    memberId: form.memberId || undefined,
    type: form.type || undefined,
    from: form.from ? fromLocalInput(form.from, tz)?.toISOString() : undefined,
    to: form.to ? fromLocalInput(form.to, tz)?.toISOString() : undefined,
  };
  const { events, loading, error, hasMore, more } = useEvents(
    model.space.id,
    filter,
  );
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });

  const exportCsv = () => {
    const rows = events.map((e) => [
      e.at,
      e.type,
      e.doorId ? doorName(model, e.doorId) : '',
      who(t, model, e),
      e.result ?? '',
      e.reason ?? '',
      e.type === 'admin.change' ? String(e.data?.action ?? '') : '',
    ]);
    const header = ['at', 'type', 'door', 'who', 'result', 'reason', 'action'];
    download(`${model.space.name}-events.csv`, toCsv([header, ...rows]));
  };

  return (
    <section className="card" aria-labelledby="log-title">
      <div className="card-head">
        <h2 id="log-title">{t('log.title')}</h2>
        <button
          type="button"
          className="secondary"
          onClick={exportCsv}
          disabled={!events.length}
        >
          {t('log.export')}
        </button>
      </div>
      <form
        className="filters"
        onSubmit={(e) => e.preventDefault()}
        aria-label={t('log.filters')}
      >
        <label className="field">
          <span>{t('log.door')}</span>
          <select value={form.doorId} onChange={set('doorId')}>
            <option value="">{t('log.all')}</option>
            {model.doors.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('log.member')}</span>
          <select value={form.memberId} onChange={set('memberId')}>
            <option value="">{t('log.all')}</option>
            {model.members.map((m) => (
              <option key={m.id} value={m.id}>
                {memberLabel(m)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('log.type')}</span>
          <select value={form.type} onChange={set('type')}>
            <option value="">{t('log.all')}</option>
            {EventType.options.map((ty) => (
              <option key={ty} value={ty}>
                {t(`type.${ty}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('log.from', { tz })}</span>
          <input
            type="datetime-local"
            step="1"
            value={form.from}
            onChange={set('from')}
          />
        </label>
        <label className="field">
          <span>{t('log.to', { tz })}</span>
          <input
            type="datetime-local"
            step="1"
            value={form.to}
            onChange={set('to')}
          />
        </label>
      </form>
      {error && <p className="error">{error}</p>}
      <div className="table-wrap" aria-busy={loading}>
        <table className="log">
          <caption className="sr-only">{t('log.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('log.when')}</th>
              <th scope="col">{t('log.type')}</th>
              <th scope="col">{t('log.door')}</th>
              <th scope="col">{t('log.who')}</th>
              <th scope="col">{t('log.what')}</th>
            </tr>
          </thead>
          <tbody>
            {events.slice(0, SHOWN).map((e) => (
              <tr key={e.id} data-event-id={e.id} className={rowClass(e)}>
                <td>{formatInstant(e.at, tz, lang, true)}</td>
                <td>{t(`type.${e.type}` as MessageKey)}</td>
                <td>{e.doorId ? doorName(model, e.doorId) : '—'}</td>
                <td>{who(t, model, e)}</td>
                <td>{what(t, model, e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!loading && events.length === 0 && (
        <p className="empty">{t('log.empty')}</p>
      )}
      {hasMore && (
        <button type="button" className="secondary" onClick={() => void more()}>
          {t('log.more')}
        </button>
      )}
    </section>
  );
}
