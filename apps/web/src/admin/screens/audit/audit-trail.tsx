import { type AuditEntry, AuditObjectType } from '@keyway/protocol';
import { useState } from 'react';
import { send } from '../../api';
import { describeError, type MessageKey, useI18n } from '../../i18n';
import { en } from '../../i18n/en';
import { changedFields, shortValue } from '../../model/audit';
import { download } from '../../model/csv';
import { formatInstant, fromLocalInput } from '../../model/format';
import { canWrite } from '../../model/space';
import { useSpace } from '../../space-context';
import { type AuditFilter, auditPath, useAudit } from '../../use-audit';

const label = (name: string | null, phone: string | null) =>
  name && phone ? `${name} (${phone})` : (name ?? phone ?? '—');

/** The audit trail: who changed what, with filters, pages, and the CSV export (owners and admins). */
export function AuditTrail() {
  const { role } = useSpace();
  const { t } = useI18n();
  if (!canWrite(role))
    return (
      <p className="note" role="note">
        {t('audit.ownersAdmins')}
      </p>
    );
  return <Trail />;
}

function Trail() {
  const { t, lang } = useI18n();
  const { model } = useSpace();
  const tz = model.space.timezone;
  const [form, setForm] = useState({
    actor: '',
    objectType: '',
    from: '',
    until: '',
  });
  const [exportError, setExportError] = useState<string | null>(null);
  const filter: AuditFilter = {
    actor: form.actor || undefined,
    objectType: form.objectType || undefined,
    from: form.from ? fromLocalInput(form.from, tz)?.toISOString() : undefined,
    until: form.until
      ? fromLocalInput(form.until, tz)?.toISOString()
      : undefined,
  };
  const { entries, loading, error, hasMore, more } = useAudit(
    model.space.id,
    filter,
  );
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });

  // Who may appear: today's admins, and anyone already in the trail (a former admin).
  const actors = new Map<string, string>();
  for (const a of model.admins) actors.set(a.userId, label(a.name, a.phone));
  for (const e of entries)
    if (e.actor.userId && !actors.has(e.actor.userId))
      actors.set(e.actor.userId, label(e.actor.name, e.actor.phone));

  const csvHref = auditPath(model.space.id, filter, {}, true);
  const exportCsv = async () => {
    setExportError(null);
    try {
      const { text } = await send('GET', csvHref);
      download(`${model.space.name}-audit.csv`, text);
    } catch (e) {
      setExportError(describeError(t, e));
    }
  };
  const actionLabel = (op: string) => {
    const key = `audit.op.${op}`;
    return key in en ? t(key as MessageKey) : op;
  };

  return (
    <section className="card" aria-labelledby="audit-title">
      <div className="card-head">
        <h2 id="audit-title">{t('audit.title')}</h2>
        <a
          className="button secondary"
          href={csvHref}
          download
          onClick={(e) => {
            e.preventDefault();
            void exportCsv();
          }}
        >
          {t('audit.export')}
        </a>
      </div>
      <p className="muted">{t('audit.help')}</p>
      <form
        className="filters"
        onSubmit={(e) => e.preventDefault()}
        aria-label={t('audit.filters')}
      >
        <label className="field">
          <span>{t('audit.actor')}</span>
          <select value={form.actor} onChange={set('actor')}>
            <option value="">{t('audit.all')}</option>
            {[...actors].map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('audit.objectType')}</span>
          <select value={form.objectType} onChange={set('objectType')}>
            <option value="">{t('audit.all')}</option>
            {AuditObjectType.options.map((ty) => (
              <option key={ty} value={ty}>
                {t(`audit.type.${ty}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('audit.from', { tz })}</span>
          <input
            type="datetime-local"
            step="1"
            value={form.from}
            onChange={set('from')}
          />
        </label>
        <label className="field">
          <span>{t('audit.until', { tz })}</span>
          <input
            type="datetime-local"
            step="1"
            value={form.until}
            onChange={set('until')}
          />
        </label>
      </form>
      {(error || exportError) && (
        <p className="error">{error ?? exportError}</p>
      )}
      <div className="table-wrap audit-wrap" aria-busy={loading}>
        <table className="log audit">
          <caption className="sr-only">{t('audit.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.when')}</th>
              <th scope="col">{t('audit.actor')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.object')}</th>
              <th scope="col">{t('audit.changes')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-audit-id={e.id}>
                <td>{formatInstant(e.at, tz, lang, true)}</td>
                <td>
                  {label(e.actor.name, e.actor.phone)}
                  {e.actor.sessionId && (
                    <div className="muted small">
                      {t('audit.session', { id: e.actor.sessionId })}
                    </div>
                  )}
                </td>
                <td>{actionLabel(e.action)}</td>
                <td>
                  {t(`audit.type.${e.object.type}`)}: {e.object.name ?? '—'}
                </td>
                <td>
                  <Changes entry={e} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!loading && entries.length === 0 && (
        <p className="empty">{t('audit.empty')}</p>
      )}
      {hasMore && (
        <button type="button" className="secondary" onClick={() => void more()}>
          {t('audit.more')}
        </button>
      )}
    </section>
  );
}

function Changes({ entry }: { entry: AuditEntry }) {
  const { t } = useI18n();
  const fields = changedFields(entry);
  const summary = !entry.before
    ? t('audit.created')
    : !entry.after
      ? t('audit.deleted')
      : null;
  return (
    <>
      {summary && <div>{summary}</div>}
      {entry.before && entry.after && (
        <ul className="changes">
          {fields.length === 0 && <li>{t('audit.noChange')}</li>}
          {fields.map((f) => (
            <li key={f.field}>
              <code>{f.field}</code>: {shortValue(f.before)} →{' '}
              {shortValue(f.after)}
            </li>
          ))}
        </ul>
      )}
      <details>
        <summary>{t('audit.details')}</summary>
        <div className="before-after">
          <div>
            <strong>{t('audit.before')}</strong>
            <pre>{JSON.stringify(entry.before, null, 2)}</pre>
          </div>
          <div>
            <strong>{t('audit.after')}</strong>
            <pre>{JSON.stringify(entry.after, null, 2)}</pre>
          </div>
        </div>
      </details>
    </>
  );
}
