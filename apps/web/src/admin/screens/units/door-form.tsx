import { type FormEvent, useState } from 'react';
import { api } from '../../api';
import { useI18n } from '../../i18n';
import type { DoorInfo } from '../../model/space';
import { useSpace } from '../../space-context';
import { useAction } from '../../use-action';

/** A door on one of a unit's four relays, with its pulse length and whether it has a position sensor. */
export function DoorForm(props: { door: DoorInfo | null; onDone: () => void }) {
  const { t } = useI18n();
  const { model, readOnly } = useSpace();
  const d = props.door;
  const [name, setName] = useState(d?.name ?? '');
  const [unitId, setUnitId] = useState(d?.unitId ?? model.units[0]?.id ?? '');
  const taken = model.doors
    .filter((x) => x.unitId === unitId && x.id !== d?.id)
    .map((x) => x.relay);
  const [relay, setRelay] = useState(
    d?.relay ?? [1, 2, 3, 4].find((r) => !taken.includes(r)) ?? 1,
  );
  const [pulseMs, setPulseMs] = useState(d?.pulseMs ?? 500);
  const [sensor, setSensor] = useState(d?.sensor ?? false);
  const { busy, error, run } = useAction();

  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const body = { name, unitId, relay, pulseMs, sensor };
      if (d) await api('PATCH', `/v1/doors/${d.id}`, body);
      else await api('POST', `/v1/spaces/${model.space.id}/doors`, body);
      props.onDone();
    });
  };
  const remove = () =>
    void run(async () => {
      await api('DELETE', `/v1/doors/${d!.id}`);
      props.onDone();
    });

  return (
    <form
      className="panel"
      onSubmit={save}
      aria-label={d ? t('doors.edit', { name: d.name }) : t('doors.new')}
    >
      <fieldset disabled={readOnly || busy} className="plain">
        <h3>{d ? t('doors.edit', { name: d.name }) : t('doors.new')}</h3>
        <div className="grid2">
          <label className="field">
            <span>{t('field.name')}</span>
            <input
              required
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <label className="field">
            <span>{t('doors.unit')}</span>
            <select value={unitId} onChange={(e) => setUnitId(e.target.value)}>
              {model.units.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('doors.relay')}</span>
            <select
              value={relay}
              onChange={(e) => setRelay(Number(e.target.value))}
            >
              {[1, 2, 3, 4].map((r) => (
                <option key={r} value={r}>
                  {r} {taken.includes(r) ? `(${t('doors.inUse')})` : ''}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('doors.pulseMs')}</span>
            <input
              type="number"
              min={50}
              max={30000}
              step={50}
              required
              value={pulseMs}
              onChange={(e) => setPulseMs(Number(e.target.value))}
            />
          </label>
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={sensor}
            onChange={(e) => setSensor(e.target.checked)}
          />{' '}
          {t('doors.hasSensor')}
        </label>
      </fieldset>
      <div className="row">
        <button type="submit" disabled={readOnly || busy}>
          {t('action.save')}
        </button>
        <button type="button" className="secondary" onClick={props.onDone}>
          {t('action.cancel')}
        </button>
        {d && (
          <button
            type="button"
            className="danger"
            disabled={readOnly || busy}
            onClick={remove}
          >
            {t('action.delete')}
          </button>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
