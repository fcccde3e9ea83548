import { useState } from 'react';
import { useI18n } from '../../i18n';
import { useSpace } from '../../space-context';
import { DoorForm } from './door-form';

/** Doors on relays: unit, relay, pulse length, sensor, state; add and edit. */
export function Doors() {
  const { t } = useI18n();
  const { model, readOnly } = useSpace();
  const [editing, setEditing] = useState<string | null>(null);
  const door = model.doors.find((d) => d.id === editing) ?? null;
  const unitName = (id: string) =>
    model.units.find((u) => u.id === id)?.name ?? id;
  return (
    <section className="card" aria-labelledby="doors-title">
      <div className="card-head">
        <h2 id="doors-title">{t('doors.title')}</h2>
        <button
          type="button"
          disabled={readOnly || model.units.length === 0}
          onClick={() => setEditing('new')}
        >
          {t('doors.add')}
        </button>
      </div>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('field.name')}</th>
            <th scope="col">{t('doors.unit')}</th>
            <th scope="col">{t('doors.relay')}</th>
            <th scope="col">{t('doors.pulse')}</th>
            <th scope="col">{t('doors.sensor')}</th>
            <th scope="col">{t('doors.state')}</th>
            <th scope="col">
              <span className="sr-only">{t('action.edit')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {model.doors.map((d) => (
            <tr key={d.id} data-door={d.name}>
              <td>{d.name}</td>
              <td>{unitName(d.unitId)}</td>
              <td>{d.relay}</td>
              <td>{d.pulseMs} ms</td>
              <td>{d.sensor ? t('doors.yes') : t('doors.no')}</td>
              <td>{d.sensor ? t(`board.${d.state}`) : '—'}</td>
              <td>
                <button
                  type="button"
                  className="link"
                  disabled={readOnly}
                  onClick={() => setEditing(d.id)}
                >
                  {t('action.edit')}
                  <span className="sr-only"> {d.name}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {model.doors.length === 0 && <p className="empty">{t('board.none')}</p>}
      {(editing === 'new' || door) && (
        <DoorForm key={editing} door={door} onDone={() => setEditing(null)} />
      )}
    </section>
  );
}
