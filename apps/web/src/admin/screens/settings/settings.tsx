import { type FormEvent, useState } from 'react';
import { api } from '../../api';
import { useI18n } from '../../i18n';
import { useSpace } from '../../space-context';
import { useAction } from '../../use-action';
import { Admins } from './admins';
import { ApiKeys } from './api-keys';

/** Settings: name, time zone, location, default geofence, lockdown; admins and their roles. */
export function Settings() {
  const { t } = useI18n();
  const { model, readOnly } = useSpace();
  const s = model.space;
  const [name, setName] = useState(s.name);
  const [timezone, setTimezone] = useState(s.timezone);
  const [lat, setLat] = useState(s.location?.lat.toString() ?? '');
  const [lon, setLon] = useState(s.location?.lon.toString() ?? '');
  const [geofence, setGeofence] = useState(s.geofenceMeters?.toString() ?? '');
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();

  const save = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    void run(async () => {
      const location =
        lat.trim() && lon.trim()
          ? { lat: Number(lat), lon: Number(lon) }
          : null;
      const geofenceMeters = geofence.trim() ? Number(geofence) : null;
      await api('PATCH', `/v1/spaces/${s.id}`, {
        name,
        timezone,
        location,
        geofenceMeters,
      });
      setSaved(true);
    });
  };
  const lockdown = () =>
    void run(() =>
      api('PATCH', `/v1/spaces/${s.id}`, { lockdown: !s.lockdown }),
    );

  return (
    <div className="settings">
      <section className="card" aria-labelledby="settings-title">
        <h2 id="settings-title">{t('settings.title')}</h2>
        <form onSubmit={save}>
          <fieldset disabled={readOnly || busy} className="plain">
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
                <span>{t('field.timezone')}</span>
                <input
                  required
                  list="tz-list"
                  value={timezone}
                  onChange={(e) => setTimezone(e.target.value)}
                />
              </label>
              <label className="field">
                <span>{t('settings.lat')}</span>
                <input
                  type="number"
                  step="any"
                  min={-90}
                  max={90}
                  value={lat}
                  onChange={(e) => setLat(e.target.value)}
                />
              </label>
              <label className="field">
                <span>{t('settings.lon')}</span>
                <input
                  type="number"
                  step="any"
                  min={-180}
                  max={180}
                  value={lon}
                  onChange={(e) => setLon(e.target.value)}
                />
              </label>
              <label className="field">
                <span>{t('settings.geofence')}</span>
                <input
                  type="number"
                  min={1}
                  max={100000}
                  placeholder={t('field.geofenceNone')}
                  value={geofence}
                  onChange={(e) => setGeofence(e.target.value)}
                />
              </label>
            </div>
            <datalist id="tz-list">
              {Intl.supportedValuesOf('timeZone').map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
            <div className="row">
              <button type="submit">{t('action.save')}</button>
              {saved && <span role="status">{t('settings.saved')}</span>}
            </div>
          </fieldset>
        </form>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </section>
      <section className="card" aria-labelledby="lockdown-title">
        <h2 id="lockdown-title">{t('settings.lockdownTitle')}</h2>
        <p className="muted">{t('settings.lockdownHelp')}</p>
        <button
          type="button"
          className={s.lockdown ? '' : 'danger'}
          disabled={readOnly || busy}
          onClick={lockdown}
        >
          {s.lockdown ? t('settings.lift') : t('settings.lock')}
        </button>
      </section>
      <Admins />
      <ApiKeys />
    </div>
  );
}
