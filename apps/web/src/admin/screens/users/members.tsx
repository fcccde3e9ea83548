import type { Access } from '@keyway/protocol';
import { useState } from 'react';
import { count, type Translate, useI18n } from '../../i18n';
import { verdict } from '../../model/access';
import { formatInstant, weekdayNames } from '../../model/format';
import { useSpace } from '../../space-context';
import { CsvImport } from './csv-import';
import { MemberForm } from './member-form';

/** Members: search, their groups and schedule, whether they can open now; add, edit, revoke, import. */
export function Members() {
  const { t, lang } = useI18n();
  const { model, readOnly } = useSpace();
  const [editing, setEditing] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [search, setSearch] = useState('');
  const member = model.members.find((m) => m.id === editing) ?? null;
  const q = search.trim().toLowerCase();
  const shown = model.members.filter(
    (m) => !q || `${m.name ?? ''} ${m.phone}`.toLowerCase().includes(q),
  );
  const now = new Date();
  const world = {
    timezone: model.space.timezone,
    lockdown: model.space.lockdown,
    ...model,
  };
  const groupNames = (ids: string[]) =>
    ids
      .map((id) => model.groups.find((g) => g.id === id)?.name ?? id)
      .join(', ');

  return (
    <section className="card" aria-labelledby="members-title">
      <div className="card-head">
        <h2 id="members-title">
          {t('members.title', { n: model.members.length })}
        </h2>
        <label className="field inline">
          <span className="sr-only">{t('members.search')}</span>
          <input
            type="search"
            placeholder={t('members.search')}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <button
          type="button"
          className="secondary"
          disabled={readOnly}
          onClick={() => setImporting(!importing)}
        >
          {t('import.open')}
        </button>
        <button
          type="button"
          disabled={readOnly}
          onClick={() => setEditing('new')}
        >
          {t('members.add')}
        </button>
      </div>
      {importing && <CsvImport onClose={() => setImporting(false)} />}
      {(editing === 'new' || member) && (
        <MemberForm
          key={editing}
          member={member}
          onDone={() => setEditing(null)}
        />
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">{t('field.phone')}</th>
            <th scope="col">{t('field.name')}</th>
            <th scope="col">{t('members.groups')}</th>
            <th scope="col">{t('members.schedule')}</th>
            <th scope="col">{t('members.now')}</th>
            <th scope="col">
              <span className="sr-only">{t('action.edit')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((m) => {
            const open = model.doors.filter(
              (d) => verdict(world, m, d.id, now).allowed,
            ).length;
            return (
              <tr key={m.id} data-member={m.phone}>
                <td>{m.phone}</td>
                <td>{m.name ?? '—'}</td>
                <td>{groupNames(m.groupIds) || '—'}</td>
                <td>{scheduleText(t, m.access, lang, model.space.timezone)}</td>
                <td>
                  {open
                    ? t('members.canOpen', { doors: count(t, open, 'doors') })
                    : t('members.cannotOpen')}
                </td>
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={() => setEditing(m.id)}
                  >
                    {readOnly ? t('action.view') : t('action.edit')}
                    <span className="sr-only"> {m.phone}</span>
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {model.members.length === 0 && (
        <p className="empty">{t('members.none')}</p>
      )}
    </section>
  );
}

function scheduleText(
  t: Translate,
  access: Access | null,
  lang: string,
  tz: string,
): string {
  if (!access) return t('members.basic');
  const names = weekdayNames(lang);
  const frames = access.timeFrames.map(
    (f) => `${f.days.map((d) => names[d]).join(' ')} ${f.from}–${f.to}`,
  );
  const parts = [frames.join('; ') || t('member.noFrames')];
  if (access.validFrom)
    parts.push(
      t('members.fromDate', { at: formatInstant(access.validFrom, tz, lang) }),
    );
  if (access.validUntil)
    parts.push(
      t('members.untilDate', {
        at: formatInstant(access.validUntil, tz, lang),
      }),
    );
  return parts.join(' · ');
}
