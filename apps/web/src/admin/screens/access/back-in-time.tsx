import type { DoorStateResponse } from '@keyway/protocol';
import { type FormEvent, useState } from 'react';
import type { z } from 'zod';
import { api, errorMessage } from '../../api';
import { reasonLabel, useI18n } from '../../i18n';
import {
  formatInstant,
  fromLocalInput,
  toLocalInput,
  weekdayNames,
} from '../../model/format';
import {
  type DoorAnswer,
  fetchAdminChanges,
  type PastWorld,
  replay,
  whoCouldOpen,
} from '../../model/history';
import { useSpace } from '../../space-context';

type PastState = z.infer<typeof DoorStateResponse>['door'];
interface Answer {
  at: Date;
  world: PastWorld;
  states: Map<string, PastState>;
}

/** "Back in time": each door's state at an instant, and who could open it then and why. */
export function BackInTime() {
  const { t, lang } = useI18n();
  const { model } = useSpace();
  const tz = model.space.timezone;
  const [value, setValue] = useState(() =>
    toLocalInput(new Date(Date.now() - 3_600_000), tz),
  );
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const at = fromLocalInput(value, tz);
    if (!at) return;
    setBusy(true);
    setError(null);
    try {
      const [changes, states] = await Promise.all([
        fetchAdminChanges(model.space.id, at),
        Promise.all(
          model.doors.map((d) =>
            api<z.infer<typeof DoorStateResponse>>(
              'GET',
              `/v1/doors/${d.id}/state?at=${encodeURIComponent(at.toISOString())}`,
            ),
          ),
        ),
      ]);
      setAnswer({
        at,
        world: replay(changes, model),
        states: new Map(states.map((s) => [s.door.id, s.door])),
      });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="bit-title">
      <h2 id="bit-title">{t('bit.title')}</h2>
      <form className="row" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>{t('bit.instant', { tz })}</span>
          <input
            type="datetime-local"
            step="1"
            required
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          {t('bit.show')}
        </button>
      </form>
      {error && <p className="error">{error}</p>}
      {answer && (
        <div className="bit-result" aria-live="polite">
          <p className="note">
            {t('bit.at', { at: formatInstant(answer.at, tz, lang, true) })}{' '}
            {answer.world.reconstructed
              ? t('bit.reconstructed')
              : t('bit.currentMembership')}
          </p>
          {answer.world.lockdown && (
            <p className="badge danger">{t('space.lockdown')}</p>
          )}
          {model.doors.map((d) => {
            const s = answer.states.get(d.id);
            const rows = whoCouldOpen(answer.world, d.id, answer.at);
            const state = !s
              ? null
              : d.sensor
                ? (s.detail ?? s.state)
                : 'nosensor';
            return (
              <article key={d.id} className="bit-door" data-door={d.name}>
                <h3>
                  {d.name}{' '}
                  <span className={`badge state-${state}`}>
                    {state ? t(`board.${state}`) : '—'}
                  </span>{' '}
                  <span className="muted small">
                    {s?.unitOnline ? t('bit.unitOnline') : t('bit.unitOffline')}
                    {s?.since &&
                      ` · ${t('bit.since', { at: formatInstant(s.since, tz, lang, true) })}`}
                  </span>
                </h3>
                {rows.length === 0 ? (
                  <p className="muted">{t('bit.nobody')}</p>
                ) : (
                  <ul className="who">
                    {rows.map((r) => (
                      <li
                        key={r.member.id}
                        className={r.verdict.allowed ? 'ok' : 'refused'}
                      >
                        <strong>{r.member.name ?? r.member.phone}</strong>{' '}
                        {r.verdict.allowed ? t('bit.could') : t('bit.couldNot')}{' '}
                        — <Why row={r} lang={lang} />
                      </li>
                    ))}
                  </ul>
                )}
              </article>
            );
          })}
        </div>
      )}
    </section>
  );
}

function Why(props: { row: DoorAnswer; lang: string }) {
  const { t } = useI18n();
  const { row } = props;
  const via = t('bit.via', {
    groups: row.groups.map((g) => g.name).join(', '),
  });
  if (!row.verdict.allowed)
    return <>{`${reasonLabel(t, row.verdict.reason)}; ${via}`}</>;
  if (!row.member.access) return <>{`${via}; ${t('bit.basic')}`}</>;
  const names = weekdayNames(props.lang);
  const f = row.frame;
  const frame = f
    ? `${f.days.map((d) => names[d as keyof typeof names]).join(' ')} ${f.from}–${f.to}`
    : '';
  return <>{`${via}; ${t('bit.inFrame', { frame })}`}</>;
}
