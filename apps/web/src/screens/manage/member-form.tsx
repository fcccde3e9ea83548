import type { Member } from '@keyway/protocol';
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../../api';
import { useI18n } from '../../i18n';
import { COUNTRIES, defaultCountry, toE164 } from '../../model/phone';
import type { SpaceModel } from '../../model/view';
import { errorText } from '../errors';
import { type AccessForm, accessOf, formOf } from './access-form';
import { FramesEditor } from './frames-editor';

/** Add a member by phone (basic 24/7 or advanced), or edit one: groups, frames, dates. */
export function MemberForm(props: {
  space: SpaceModel;
  member: Member | null;
  /** Her own number: new members are most likely from her country. */
  myPhone: string;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const { space, member } = props;
  const groups = space.admin?.groups ?? [];
  const [country, setCountry] = useState(() => defaultCountry(props.myPhone));
  const [phone, setPhone] = useState('');
  const [name, setName] = useState(member?.name ?? '');
  const [groupIds, setGroupIds] = useState<string[]>(
    member?.groupIds ?? (groups.length === 1 ? [groups[0]!.id] : []),
  );
  const [access, setAccess] = useState<AccessForm>(() =>
    formOf(member?.access ?? null, space.timezone),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = {
      name: name.trim() || null,
      groupIds,
      access: accessOf(access, space.timezone),
    };
    try {
      if (member) await api('PATCH', `/v1/members/${member.id}`, body);
      else
        await api('POST', `/v1/spaces/${space.id}/members`, {
          ...body,
          phone: toE164(country, phone),
        });
      props.onDone(); // the list updates by itself from the sync view
    } catch (err) {
      setError(err instanceof ApiError ? err.code : 'unknown');
      setBusy(false);
    }
  };

  return (
    <form
      className="card stack member-form"
      onSubmit={submit}
      aria-labelledby="member-form-title"
    >
      <h2 id="member-form-title">
        {member ? (member.name ?? member.phone) : t('manage.add')}
      </h2>
      {!member && (
        <div className="row">
          <label className="field narrow">
            <span>{t('login.country')}</span>
            <select
              value={country}
              onChange={(e) => setCountry(e.target.value)}
            >
              {COUNTRIES.map((c) => (
                <option key={c.iso} value={c.iso}>
                  {c.iso} +{c.dial}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('member.phone')}</span>
            <input
              type="tel"
              required
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
            />
          </label>
        </div>
      )}
      <label className="field">
        <span>{t('member.name')}</span>
        <input
          value={name}
          maxLength={100}
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <fieldset>
        <legend>{t('member.groups')}</legend>
        {groups.map((g) => (
          <label key={g.id} className="check">
            <input
              type="checkbox"
              checked={groupIds.includes(g.id)}
              onChange={(e) =>
                setGroupIds(
                  e.target.checked
                    ? [...groupIds, g.id]
                    : groupIds.filter((x) => x !== g.id),
                )
              }
            />
            <span>{g.name}</span>
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t('member.mode')}</legend>
        <label className="check">
          <input
            type="radio"
            name="mode"
            checked={!access.advanced}
            onChange={() => setAccess({ ...access, advanced: false })}
          />
          <span>{t('member.basic')}</span>
        </label>
        <label className="check">
          <input
            type="radio"
            name="mode"
            checked={access.advanced}
            onChange={() => setAccess({ ...access, advanced: true })}
          />
          <span>{t('member.advanced')}</span>
        </label>
      </fieldset>
      {access.advanced && (
        <>
          <FramesEditor
            frames={access.frames}
            onChange={(frames) => setAccess({ ...access, frames })}
          />
          <div className="row">
            <label className="field">
              <span>{t('member.validFrom')}</span>
              <input
                type="date"
                value={access.validFrom}
                onChange={(e) =>
                  setAccess({ ...access, validFrom: e.target.value })
                }
              />
            </label>
            <label className="field">
              <span>{t('member.validUntil')}</span>
              <input
                type="date"
                value={access.validUntil}
                onChange={(e) =>
                  setAccess({ ...access, validUntil: e.target.value })
                }
              />
            </label>
          </div>
        </>
      )}
      {error && (
        <p role="alert" className="error">
          {errorText(t, error)}
        </p>
      )}
      <div className="row">
        <button type="button" className="secondary" onClick={props.onDone}>
          {t('member.cancel')}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {t('member.save')}
        </button>
      </div>
    </form>
  );
}
