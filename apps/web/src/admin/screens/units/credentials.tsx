import type { CreateUnitResponse } from '@keyway/protocol';
import { useEffect, useRef } from 'react';
import type { z } from 'zod';
import { useI18n } from '../../i18n';

/** A new unit's credentials, shown once (the server keeps only a hash), with the command that starts it. */
export function Credentials(props: {
  created: z.infer<typeof CreateUnitResponse>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { unit, credentials: c } = props.created;
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const quote = (s: string) =>
    /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
  const command = `npm run unit -- --url ${quote(c.mqttUrl)} --username ${quote(c.username)} --password ${quote(c.password)}`;
  return (
    <div
      className="panel credentials"
      role="alert"
      tabIndex={-1}
      ref={ref}
      aria-labelledby="cred-title"
    >
      <h3 id="cred-title">{t('units.credentialsFor', { name: unit.name })}</h3>
      <p className="warn">{t('units.onlyOnce')}</p>
      <dl>
        <dt>{t('units.mqttUrl')}</dt>
        <dd>
          <code>{c.mqttUrl}</code>
        </dd>
        <dt>{t('units.username')}</dt>
        <dd>
          <code>{c.username}</code>
        </dd>
        <dt>{t('units.password')}</dt>
        <dd>
          <code data-testid="unit-password">{c.password}</code>
        </dd>
      </dl>
      <p>{t('units.command')}</p>
      <pre>
        <code data-testid="unit-command">{command}</code>
      </pre>
      <div className="row">
        <button
          type="button"
          className="secondary"
          onClick={() => void navigator.clipboard?.writeText(command)}
        >
          {t('units.copy')}
        </button>
        <button type="button" onClick={props.onClose}>
          {t('units.saved')}
        </button>
      </div>
    </div>
  );
}
