import type { Group } from '@keyway/protocol';
import { type FormEvent, useState } from 'react';
import { api } from '../../api';
import { useI18n } from '../../i18n';
import type { AccessWorld } from '../../model/access';
import { useSpace } from '../../space-context';
import { useAction } from '../../use-action';
import { Preview } from './preview';

/** Create or edit a group: name, doors, geofence radius; with the preview of what it changes. */
export function GroupForm(props: { group: Group | null; onDone: () => void }) {
  const { t } = useI18n();
  const { model, readOnly } = useSpace();
  const g = props.group;
  const [name, setName] = useState(g?.name ?? '');
  const [doorIds, setDoorIds] = useState<string[]>(g?.doorIds ?? []);
  const [geofence, setGeofence] = useState(g?.geofenceMeters?.toString() ?? '');
  const [removing, setRemoving] = useState(false);
  const { busy, error, run } = useAction();

  const geofenceMeters = geofence.trim() === '' ? null : Number(geofence);
  const draft = { id: g?.id ?? 'new-group', doorIds, geofenceMeters };
  const others = model.groups.filter((x) => x.id !== g?.id);
  const after: AccessWorld = {
    timezone: model.space.timezone,
    lockdown: model.space.lockdown,
    members: model.members,
    groups: removing ? others : [...others, draft],
  };
  const toggle = (id: string) =>
    setDoorIds(
      doorIds.includes(id) ? doorIds.filter((d) => d !== id) : [...doorIds, id],
    );

  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const body = { name, doorIds, geofenceMeters };
      if (g) await api('PATCH', `/v1/groups/${g.id}`, body);
      else await api('POST', `/v1/spaces/${model.space.id}/groups`, body);
      props.onDone();
    });
  };
  const remove = () =>
    void run(async () => {
      await api('DELETE', `/v1/groups/${g!.id}`);
      props.onDone();
    });

  return (
    <form
      className="panel"
      onSubmit={save}
      aria-label={g ? t('groups.edit', { name: g.name }) : t('groups.new')}
    >
      <fieldset disabled={readOnly || busy} className="plain">
        <h3>{g ? t('groups.edit', { name: g.name }) : t('groups.new')}</h3>
        <label className="field">
          <span>{t('field.name')}</span>
          <input
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <fieldset>
          <legend>{t('groups.doors')}</legend>
          {model.doors.length === 0 && (
            <p className="muted">{t('board.none')}</p>
          )}
          {model.doors.map((d) => (
            <label key={d.id} className="check">
              <input
                type="checkbox"
                checked={doorIds.includes(d.id)}
                onChange={() => toggle(d.id)}
              />{' '}
              {d.name}
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>{t('field.geofence')}</span>
          <input
            type="number"
            min={1}
            max={100000}
            inputMode="numeric"
            placeholder={t('field.geofenceNone')}
            value={geofence}
            onChange={(e) => setGeofence(e.target.value)}
          />
        </label>
        <Preview after={after} />
      </fieldset>
      <div className="row">
        {removing ? (
          <>
            <button
              type="button"
              className="danger"
              disabled={readOnly || busy}
              onClick={remove}
            >
              {t('groups.confirmDelete')}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => setRemoving(false)}
            >
              {t('action.cancel')}
            </button>
          </>
        ) : (
          <>
            <button type="submit" disabled={readOnly || busy}>
              {t('action.save')}
            </button>
            <button type="button" className="secondary" onClick={props.onDone}>
              {t('action.cancel')}
            </button>
            {g && (
              <button
                type="button"
                className="danger"
                disabled={readOnly || busy}
                onClick={() => setRemoving(true)}
              >
                {t('action.delete')}
              </button>
            )}
          </>
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
