import type { TimeFrame, Weekday } from '@keyway/protocol';
import { WEEKDAYS } from '@keyway/rules';
import { useRef } from 'react';
import { useI18n } from '../../i18n';
import { weekdayNames } from '../../model/format';

export const newFrame = (): TimeFrame => ({
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  from: '09:00',
  to: '18:00',
});

/** Advanced mode's time frames: weekdays per frame, from/to; several a day; overnight when to < from. */
export function FramesEditor(props: {
  frames: TimeFrame[];
  onChange: (f: TimeFrame[]) => void;
}) {
  const { t, lang } = useI18n();
  const names = weekdayNames(lang);
  // Stable React keys for frames, which have no id of their own: one per position, kept in step.
  const ids = useRef<number[]>([]);
  const nextId = useRef(0);
  while (ids.current.length < props.frames.length)
    ids.current.push(nextId.current++);
  ids.current.length = props.frames.length;
  const removeAt = (i: number) => {
    ids.current.splice(i, 1);
    props.onChange(props.frames.filter((_, j) => j !== i));
  };
  const set = (i: number, patch: Partial<TimeFrame>) =>
    props.onChange(
      props.frames.map((f, j) => (j === i ? { ...f, ...patch } : f)),
    );
  const toggle = (i: number, day: Weekday) => {
    const days = props.frames[i]!.days;
    set(i, {
      days: days.includes(day)
        ? days.filter((d) => d !== day)
        : WEEKDAYS.filter((d) => d === day || days.includes(d)),
    });
  };
  return (
    <fieldset className="frames">
      <legend>{t('member.frames')}</legend>
      {props.frames.length === 0 && (
        <p className="muted">{t('member.noFrames')}</p>
      )}
      {props.frames.map((f, i) => (
        <fieldset className="frame" key={ids.current[i]}>
          <legend className="sr-only">
            {t('member.frameN', { n: i + 1 })}
          </legend>
          <div className="days">
            {WEEKDAYS.map((d) => (
              <label key={d} className="day">
                <input
                  type="checkbox"
                  checked={f.days.includes(d)}
                  onChange={() => toggle(i, d)}
                />
                <span>{names[d]}</span>
              </label>
            ))}
          </div>
          <label className="field inline">
            <span>{t('member.from')}</span>
            <input
              type="time"
              required
              value={f.from}
              onChange={(e) => set(i, { from: e.target.value })}
            />
          </label>
          <label className="field inline">
            <span>{t('member.to')}</span>
            <input
              type="time"
              required
              value={f.to}
              onChange={(e) => set(i, { to: e.target.value })}
            />
          </label>
          {f.to < f.from && (
            <span className="badge">{t('member.overnight')}</span>
          )}
          {f.to === f.from && (
            <span className="badge">{t('member.fullDay')}</span>
          )}
          <button
            type="button"
            className="link"
            aria-label={t('member.removeFrame', { n: i + 1 })}
            onClick={() => removeAt(i)}
          >
            {t('action.remove')}
          </button>
        </fieldset>
      ))}
      <button
        type="button"
        className="secondary"
        onClick={() => props.onChange([...props.frames, newFrame()])}
      >
        {t('member.addFrame')}
      </button>
    </fieldset>
  );
}
