import type { Member } from '@keyway/protocol';
import { type FormEvent, useState } from 'react';
import { api } from '../../api';
import { useI18n } from '../../i18n';
import type { AccessWorld } from '../../model/access';
import { memberLabel } from '../../model/space';
import { useSpace } from '../../space-context';
import { useAction } from '../../use-action';
import { FramesEditor, newFrame } from './frames-editor';
import { bodyOf, draftOf, type MemberDraft } from './member-draft';
import { Preview } from './preview';

/** Add or edit a member (basic 24/7 or advanced time frames), or revoke her; previewed before saving. */
export function MemberForm(props: {
  member: Member | null;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const { model, readOnly } = useSpace();
  const tz = model.space.timezone;
  const m = props.member;
  const [d, setD] = useState<MemberDraft>(() => draftOf(m, tz, []));
  const [revoking, setRevoking] = useState(false);
  const { busy, error, run } = useAction();
  const set = (patch: Partial<MemberDraft>) => setD({ ...d, ...patch });
  const body = bodyOf(d, tz);

  const others = model.members.filter((x) => x.id !== m?.id);
  const after: AccessWorld = {
    timezone: tz,
    lockdown: model.space.lockdown,
    groups: model.groups,
    members: revoking
      ? others
      : [...others, { id: m?.id ?? 'new-member', ...body }],
  };
  const toggleGroup = (id: string) =>
    set({
      groupIds: d.groupIds.includes(id)
        ? d.groupIds.filter((g) => g !== id)
        : [...d.groupIds, id],
    });

  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const name = d.name.trim() || null;
      if (m) await api('PATCH', `/v1/members/${m.id}`, { ...body, name });
      else
        await api('POST', `/v1/spaces/${model.space.id}/members`, {
          ...body,
          name,
          phone: d.phone,
        });
      props.onDone();
    });
  };
  const revoke = () =>
    void run(async () => {
      await api('DELETE', `/v1/members/${m!.id}`);
      props.onDone();
    });
  const title = m
    ? t('members.edit', { name: memberLabel(m) })
    : t('members.new');

  return (
    <form className="panel" onSubmit={save} aria-label={title}>
      <fieldset disabled={readOnly || busy} className="plain">
        <h3>{title}</h3>
        <div className="grid2">
          <label className="field">
            <span>{t('field.phone')}</span>
            <input
              type="tel"
              required
              readOnly={!!m}
              value={d.phone}
              onChange={(e) => set({ phone: e.target.value })}
            />
          </label>
          <label className="field">
            <span>{t('field.name')}</span>
            <input
              value={d.name}
              onChange={(e) => set({ name: e.target.value })}
            />
          </label>
        </div>
        <fieldset>
          <legend>{t('members.groups')}</legend>
          {model.groups.map((g) => (
            <label key={g.id} className="check">
              <input
                type="checkbox"
                checked={d.groupIds.includes(g.id)}
                onChange={() => toggleGroup(g.id)}
              />{' '}
              {g.name}
            </label>
          ))}
        </fieldset>
        <fieldset className="mode">
          <legend>{t('members.mode')}</legend>
          <label className="check">
            <input
              type="radio"
              name="mode"
              checked={!d.advanced}
              onChange={() => set({ advanced: false })}
            />{' '}
            {t('members.basic')}
          </label>
          <label className="check">
            <input
              type="radio"
              name="mode"
              checked={d.advanced}
              onChange={() =>
                set({
                  advanced: true,
                  frames: d.frames.length ? d.frames : [newFrame()],
                })
              }
            />{' '}
            {t('members.advanced')}
          </label>
        </fieldset>
        {d.advanced && (
          <>
            <FramesEditor
              frames={d.frames}
              onChange={(frames) => set({ frames })}
            />
            <div className="grid2">
              <label className="field">
                <span>{t('member.validFrom', { tz })}</span>
                <input
                  type="datetime-local"
                  value={d.validFrom}
                  onChange={(e) => set({ validFrom: e.target.value })}
                />
              </label>
              <label className="field">
                <span>{t('member.validUntil', { tz })}</span>
                <input
                  type="datetime-local"
                  value={d.validUntil}
                  onChange={(e) => set({ validUntil: e.target.value })}
                />
              </label>
            </div>
          </>
        )}
        <label className="field">
          <span>{t('member.geofence')}</span>
          <input
            type="number"
            min={1}
            max={100000}
            placeholder={t('member.geofenceInherit')}
            value={d.geofence}
            onChange={(e) => set({ geofence: e.target.value })}
          />
        </label>
        <Preview after={after} />
      </fieldset>
      <div className="row">
        {revoking ? (
          <>
            <button
              type="button"
              className="danger"
              disabled={readOnly || busy}
              onClick={revoke}
            >
              {t('members.confirmRevoke')}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => setRevoking(false)}
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
            {m && (
              <button
                type="button"
                className="danger"
                disabled={readOnly || busy}
                onClick={() => setRevoking(true)}
              >
                {t('members.revoke')}
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
