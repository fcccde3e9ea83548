import { useState } from 'react';
import { useI18n } from '../../i18n';
import { useSpace } from '../../space-context';
import { GroupForm } from './group-form';

/** Groups: which doors they give, their geofence, how many members; add and edit. */
export function Groups() {
  const { t } = useI18n();
  const { model, readOnly } = useSpace();
  const [editing, setEditing] = useState<string | null>(null);
  // By id: another admin's edit arrives live; a group deleted meanwhile closes its form.
  const group = model.groups.find((g) => g.id === editing) ?? null;
  const doorNames = (ids: string[]) =>
    ids
      .map((id) => model.doors.find((d) => d.id === id)?.name ?? id)
      .join(', ') || '—';
  return (
    <section className="card" aria-labelledby="groups-title">
      <div className="card-head">
        <h2 id="groups-title">{t('groups.title')}</h2>
        <button
          type="button"
          disabled={readOnly}
          onClick={() => setEditing('new')}
        >
          {t('groups.add')}
        </button>
      </div>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('field.name')}</th>
            <th scope="col">{t('groups.doors')}</th>
            <th scope="col">{t('field.geofence')}</th>
            <th scope="col">{t('groups.members')}</th>
            <th scope="col">
              <span className="sr-only">{t('action.edit')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {model.groups.map((g) => (
            <tr key={g.id} data-group={g.name}>
              <td>{g.name}</td>
              <td>{doorNames(g.doorIds)}</td>
              <td>{g.geofenceMeters ? `${g.geofenceMeters} m` : '—'}</td>
              <td>
                {model.members.filter((m) => m.groupIds.includes(g.id)).length}
              </td>
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={() => setEditing(g.id)}
                >
                  {readOnly ? t('action.view') : t('action.edit')}
                  <span className="sr-only"> {g.name}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {model.groups.length === 0 && <p className="empty">{t('groups.none')}</p>}
      {(editing === 'new' || group) && (
        <GroupForm
          key={editing}
          group={group}
          onDone={() => setEditing(null)}
        />
      )}
    </section>
  );
}
