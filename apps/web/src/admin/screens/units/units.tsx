import type { CreateUnitResponse } from '@keyway/protocol';
import { type FormEvent, useState } from 'react';
import type { z } from 'zod';
import { api } from '../../api';
import { useI18n } from '../../i18n';
import { formatInstant, relativeAgo } from '../../model/format';
import { useSpace } from '../../space-context';
import { useAction } from '../../use-action';
import { useNow } from '../../use-now';
import { Credentials } from './credentials';
import { Doors } from './doors';
import { Receipts } from './receipts';

type Created = z.infer<typeof CreateUnitResponse>;

/** Units (online, last seen, position), their doors, and delivery receipts of recent changes. */
export function Units() {
  const { t, lang } = useI18n();
  const { model, readOnly } = useSpace();
  const now = useNow(15_000);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<Created | null>(null);
  const { busy, error, run } = useAction();
  const tz = model.space.timezone;

  const add = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      setCreated(
        await api<Created>('POST', `/v1/spaces/${model.space.id}/units`, {
          name,
        }),
      );
      setName('');
    });
  };

  return (
    <div className="units">
      <section className="card" aria-labelledby="units-title">
        <h2 id="units-title">{t('units.title')}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('field.name')}</th>
              <th scope="col">{t('units.status')}</th>
              <th scope="col">{t('units.lastSeen')}</th>
              <th scope="col">{t('units.position')}</th>
              <th scope="col">{t('units.agent')}</th>
              <th scope="col">{t('units.doors')}</th>
            </tr>
          </thead>
          <tbody>
            {model.units.map((u) => (
              <tr key={u.id} data-unit={u.name}>
                <td>{u.name}</td>
                <td>
                  <span className={`badge ${u.online ? 'ok' : 'danger'}`}>
                    {u.online ? t('units.online') : t('units.offline')}
                  </span>
                </td>
                <td
                  title={
                    u.lastSeenAt
                      ? formatInstant(u.lastSeenAt, tz, lang, true)
                      : undefined
                  }
                >
                  {relativeAgo(u.lastSeenAt, now, lang)}
                </td>
                <td>
                  {u.location
                    ? `${u.location.lat.toFixed(5)}, ${u.location.lon.toFixed(5)}`
                    : '—'}
                </td>
                <td className="small">{u.agent ?? '—'}</td>
                <td>{model.doors.filter((d) => d.unitId === u.id).length}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {model.units.length === 0 && <p className="empty">{t('units.none')}</p>}
        <form className="row" onSubmit={add}>
          <fieldset disabled={readOnly || busy} className="plain row">
            <label className="field inline">
              <span>{t('units.newName')}</span>
              <input
                required
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </label>
            <button type="submit">{t('units.add')}</button>
          </fieldset>
        </form>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {created && (
          <Credentials created={created} onClose={() => setCreated(null)} />
        )}
      </section>
      <Doors />
      <Receipts />
    </div>
  );
}
