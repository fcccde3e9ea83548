import {
  API_SCOPES,
  type ApiKey,
  type ApiScope,
  canAdminister,
} from '@keyway/protocol';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import { useI18n } from '../../i18n';
import { formatInstant, fromLocalInput } from '../../model/format';
import { useSpace } from '../../space-context';
import { useAction } from '../../use-action';

/** A secret just made or rotated: shown here once, never again. */
interface Shown {
  keyId: string;
  name: string;
  secret: string;
}

/**
 * API keys of the space (issue 18): make one with its scopes and an optional expiry, see its
 * secret once, rotate or revoke it, and see when and from where it was last used.
 */
export function ApiKeys() {
  const { t, lang } = useI18n();
  const { model, role } = useSpace();
  const canWrite = canAdminister(role, 'admin.write');
  const tz = model.space.timezone;
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Set<ApiScope>>(new Set());
  const [expires, setExpires] = useState('');
  const [shown, setShown] = useState<Shown | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const base = `/v1/spaces/${model.space.id}/api-keys`;

  const reload = useCallback(async () => {
    const res = await api<{ apiKeys: ApiKey[] }>('GET', base);
    setKeys(res.apiKeys);
  }, [base]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `run` is new each render; load once per space
  useEffect(() => {
    void run(reload);
  }, [reload]);

  const toggle = (s: ApiScope) =>
    setScopes((prev) => {
      const next = new Set(prev);
      if (next.has(s)) next.delete(s);
      else next.add(s);
      return next;
    });

  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const expiresAt = expires ? fromLocalInput(expires, tz) : null;
      const res = await api<{ apiKey: ApiKey; secret: string }>('POST', base, {
        name,
        scopes: [...scopes],
        expiresAt: expiresAt?.toISOString() ?? null,
      });
      setShown({
        keyId: res.apiKey.id,
        name: res.apiKey.name,
        secret: res.secret,
      });
      setName('');
      setScopes(new Set());
      setExpires('');
      await reload();
    });
  };
  const rotate = (k: ApiKey) =>
    void run(async () => {
      const res = await api<{ apiKey: ApiKey; secret: string }>(
        'POST',
        `/v1/api-keys/${k.id}/rotate`,
      );
      setShown({ keyId: k.id, name: k.name, secret: res.secret });
      await reload();
    });
  const revoke = (k: ApiKey) =>
    void run(async () => {
      await api('DELETE', `/v1/api-keys/${k.id}`);
      setConfirming(null);
      if (shown?.keyId === k.id) setShown(null);
      await reload();
    });

  return (
    <section className="card" aria-labelledby="keys-title">
      <h2 id="keys-title">{t('keys.title')}</h2>
      <p className="muted">{t('keys.help')}</p>
      {shown && (
        <div
          className="secret"
          role="status"
          aria-label={t('keys.secretOf', { name: shown.name })}
        >
          <p>{t('keys.secretOnce', { name: shown.name })}</p>
          <code data-secret>{shown.secret}</code>{' '}
          <button
            type="button"
            className="link"
            onClick={() => void navigator.clipboard?.writeText(shown.secret)}
          >
            {t('keys.copy')}
          </button>{' '}
          <button type="button" className="link" onClick={() => setShown(null)}>
            {t('keys.hide')}
          </button>
        </div>
      )}
      {keys && keys.length === 0 && <p className="note">{t('keys.none')}</p>}
      {keys && keys.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('field.name')}</th>
              <th scope="col">{t('keys.scopes')}</th>
              <th scope="col">{t('keys.expires')}</th>
              <th scope="col">{t('keys.lastUsed')}</th>
              <th scope="col">
                <span className="sr-only">{t('keys.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id} data-key={k.name}>
                <td>
                  {k.name} <code className="muted">{k.prefix}…</code>
                </td>
                <td>{k.scopes.join(', ')}</td>
                <td>
                  {k.expiresAt
                    ? formatInstant(k.expiresAt, tz, lang)
                    : t('keys.never')}
                </td>
                <td>
                  {k.lastUsedAt
                    ? `${formatInstant(k.lastUsedAt, tz, lang)} · ${k.lastUsedIp ?? ''}`
                    : t('keys.unused')}
                </td>
                <td>
                  <button
                    type="button"
                    className="link"
                    disabled={!canWrite || busy}
                    onClick={() => rotate(k)}
                  >
                    {t('keys.rotate')}
                    <span className="sr-only"> {k.name}</span>
                  </button>
                  {confirming === k.id ? (
                    <button
                      type="button"
                      className="danger"
                      disabled={busy}
                      onClick={() => revoke(k)}
                    >
                      {t('keys.confirmRevoke', { name: k.name })}
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="link"
                      disabled={!canWrite || busy}
                      onClick={() => setConfirming(k.id)}
                    >
                      {t('keys.revoke')}
                      <span className="sr-only"> {k.name}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={create} aria-label={t('keys.new')}>
        <fieldset disabled={!canWrite || busy} className="plain">
          <label className="field">
            <span>{t('field.name')}</span>
            <input
              required
              maxLength={100}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <fieldset className="scopes">
            <legend>{t('keys.scopes')}</legend>
            {API_SCOPES.map((s) => (
              <label key={s} className="check">
                <input
                  type="checkbox"
                  checked={scopes.has(s)}
                  onChange={() => toggle(s)}
                />{' '}
                <code>{s}</code>
              </label>
            ))}
          </fieldset>
          <label className="field">
            <span>{t('keys.expiresOptional')}</span>
            <input
              type="datetime-local"
              value={expires}
              onChange={(e) => setExpires(e.target.value)}
            />
          </label>
          <button type="submit" disabled={scopes.size === 0}>
            {t('keys.create')}
          </button>
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
