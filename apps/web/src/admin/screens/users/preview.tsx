import { useMemo } from 'react';
import { count, useI18n } from '../../i18n';
import {
  type AccessWorld,
  previewChanges,
  summarize,
} from '../../model/access';
import { relativeWhen } from '../../model/format';
import { memberLabel } from '../../model/space';
import { useSpace } from '../../space-context';

/**
 * What an edit will do before it is saved: the rules package evaluates every member × door
 * before and after the edit, from now over the next two weeks.
 */
export function Preview(props: { after: AccessWorld }) {
  const { t, lang } = useI18n();
  const { model } = useSpace();
  const tz = model.space.timezone;
  const afterKey = JSON.stringify(props.after);
  // biome-ignore lint/correctness/useExhaustiveDependencies: afterKey stands for props.after
  const { changes, now } = useMemo(() => {
    const now = new Date();
    const before: AccessWorld = {
      timezone: tz,
      lockdown: model.space.lockdown,
      groups: model.groups,
      members: model.members,
    };
    const doorIds = model.doors.map((d) => d.id);
    return { changes: previewChanges(before, props.after, doorIds, now), now };
  }, [afterKey, model]);
  const when = (d: Date) => relativeWhen(t, d, now, tz, lang);
  const name = (id: string) => {
    const m = model.members.find((x) => x.id === id);
    return m ? memberLabel(m) : t('preview.newMember');
  };
  const door = (id: string) => model.doors.find((d) => d.id === id)?.name ?? id;

  return (
    <section
      className="preview"
      aria-live="polite"
      aria-labelledby="preview-title"
    >
      <h3 id="preview-title">{t('preview.title')}</h3>
      {changes.length === 0 ? (
        <p className="muted">{t('preview.none')}</p>
      ) : (
        <>
          {summarize(changes).map((s) => (
            <p
              key={s.direction}
              className={s.direction === 'lose' ? 'lose' : 'gain'}
            >
              {t(s.direction === 'lose' ? 'preview.lose' : 'preview.gain', {
                members: count(t, s.members, 'members'),
                doors: count(t, s.doors, 'doors'),
                from: when(s.from),
              })}
            </p>
          ))}
          <details>
            <summary>{t('preview.details', { n: changes.length })}</summary>
            <ul>
              {changes.slice(0, 200).map((c) => (
                <li key={`${c.memberId}/${c.doorId}/${c.direction}`}>
                  {t(
                    c.direction === 'lose'
                      ? 'preview.rowLose'
                      : 'preview.rowGain',
                    {
                      member: name(c.memberId),
                      door: door(c.doorId),
                      from: when(c.from),
                    },
                  )}
                </li>
              ))}
            </ul>
          </details>
        </>
      )}
      <p className="muted small">{t('preview.horizon')}</p>
    </section>
  );
}
