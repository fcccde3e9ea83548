import {
  type AdminRole,
  canAdminister,
  AdminRole as Roles,
} from '@keyway/protocol';
import { type FormEvent, useState } from 'react';
import { api } from '../../api';
import { useI18n } from '../../i18n';
import { useSpace } from '../../space-context';
import { useAction } from '../../use-action';

/** Admins and their roles; only owners may change them. */
export function Admins() {
  const { t } = useI18n();
  const { model, role, userId } = useSpace();
  const isOwner = canAdminister(role, 'owner');
  const [phone, setPhone] = useState('');
  const [newRole, setNewRole] = useState<AdminRole>('admin');
  const { busy, error, run } = useAction();
  const base = `/v1/spaces/${model.space.id}/admins`;

  const add = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api('POST', base, { phone, role: newRole });
      setPhone('');
    });
  };

  return (
    <section className="card" aria-labelledby="admins-title">
      <h2 id="admins-title">{t('admins.title')}</h2>
      {!isOwner && <p className="note">{t('admins.ownersOnly')}</p>}
      <table>
        <thead>
          <tr>
            <th scope="col">{t('field.phone')}</th>
            <th scope="col">{t('field.name')}</th>
            <th scope="col">{t('admins.role')}</th>
            <th scope="col">
              <span className="sr-only">{t('action.remove')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {model.admins.map((a) => (
            <tr key={a.userId} data-admin={a.phone}>
              <td>
                {a.phone}{' '}
                {a.userId === userId && (
                  <span className="badge">{t('admins.you')}</span>
                )}
              </td>
              <td>{a.name ?? '—'}</td>
              <td>
                <select
                  aria-label={t('admins.roleOf', { phone: a.phone })}
                  value={a.role}
                  disabled={!isOwner || busy}
                  onChange={(e) =>
                    void run(() =>
                      api('PATCH', `${base}/${a.userId}`, {
                        role: e.target.value,
                      }),
                    )
                  }
                >
                  {Roles.options.map((r) => (
                    <option key={r} value={r}>
                      {t(`role.${r}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <button
                  type="button"
                  className="link"
                  disabled={!isOwner || busy}
                  onClick={() =>
                    void run(() => api('DELETE', `${base}/${a.userId}`))
                  }
                >
                  {t('action.remove')}
                  <span className="sr-only"> {a.phone}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={add}>
        <fieldset disabled={!isOwner || busy} className="plain row">
          <label className="field inline">
            <span>{t('field.phone')}</span>
            <input
              type="tel"
              required
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
            />
          </label>
          <label className="field inline">
            <span>{t('admins.role')}</span>
            <select
              value={newRole}
              onChange={(e) => setNewRole(e.target.value as AdminRole)}
            >
              {Roles.options.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">{t('admins.add')}</button>
        </fieldset>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
