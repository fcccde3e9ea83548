import type { TimeFrame, Weekday } from '@keyway/protocol';
import { WEEKDAYS } from '@keyway/rules';
import { useId, useRef } from 'react';
import { useI18n } from '../../i18n';
import { newFrame, weekdayNames } from './access-form';

/** Advanced mode's time frames: days per frame, from/to, several a day, overnight allowed. */
export function FramesEditor(props: {
  frames: TimeFrame[];
  onChange: (f: TimeFrame[]) => void;
}) {
  const { t, lang } = useI18n();
  const names = weekdayNames(lang);
  const id = useId();
  // Frames have no id of their own: React keys that follow each frame through removals.
  const next = useRef(props.frames.length);
  const keys = useRef(props.frames.map((_, i) => i));
  const set = (i: number, patch: Partial<TimeFrame>) =>
    props.onChange(
      props.frames.map((f, j) => (j === i ? { ...f, ...patch } : f)),
    );
  const toggle = (i: number, day: Weekday) => {
    const days = props.frames[i]!.days;
    set(i, {
      days: days.includes(day) ? days.filter((d) => d !== day) : [...days, day],
    });
  };

  return (
    <fieldset className="frames">
      <legend>{t('member.frames')}</legend>
      {props.frames.map((f, i) => (
        <fieldset
          className="frame"
          key={keys.current[i]}
          aria-labelledby={`${id}-frame-${keys.current[i]}`}
        >
          <legend>
            <span id={`${id}-frame-${keys.current[i]}`}>
              {t('member.frame', { n: i + 1 })}
            </span>
            <button
              type="button"
              className="icon-btn frame-remove"
              aria-label={t('member.removeFrame', { n: i + 1 })}
              onClick={() => {
                keys.current.splice(i, 1);
                props.onChange(props.frames.filter((_, j) => j !== i));
              }}
            >
              ×
            </button>
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
          <div className="row">
            <label className="field">
              <span>{t('member.from')}</span>
              <input
                type="time"
                value={f.from}
                required
                onChange={(e) => set(i, { from: e.target.value })}
              />
            </label>
            <label className="field">
              <span>{t('member.to')}</span>
              <input
                type="time"
                value={f.to}
                required
                onChange={(e) => set(i, { to: e.target.value })}
              />
            </label>
          </div>
          {f.to < f.from && <p className="muted">{t('member.overnight')}</p>}
        </fieldset>
      ))}
      <button
        type="button"
        className="secondary"
        onClick={() => {
          keys.current.push(next.current++);
          props.onChange([...props.frames, newFrame()]);
        }}
      >
        {t('member.addFrame')}
      </button>
    </fieldset>
  );
}
