import { useI18n } from '../../i18n';
import { relativeAgo } from '../../model/format';
import { useSpace } from '../../space-context';
import { useNow } from '../../use-now';

/** Every door's live state: open, closed, held open, forced open, or its unit offline. */
export function DoorBoard() {
  const { t, lang } = useI18n();
  const { model } = useSpace();
  const now = useNow(10_000);
  return (
    <section className="card" aria-labelledby="board-title">
      <h2 id="board-title">{t('board.title')}</h2>
      {model.doors.length === 0 && <p className="empty">{t('board.none')}</p>}
      <ul className="board">
        {model.doors.map((d) => {
          const unit = model.units.find((u) => u.id === d.unitId);
          const offline = !unit?.online;
          const state = offline ? 'offline' : d.sensor ? d.state : 'nosensor';
          return (
            <li
              key={d.id}
              className={`door-tile state-${state}`}
              data-door={d.name}
            >
              <span className="door-name">{d.name}</span>
              <span className="door-state">{t(`board.${state}`)}</span>
              <span className="muted small">
                {unit?.name ?? '—'} · {t('board.relay', { n: d.relay })}
                {d.stateSince &&
                  !offline &&
                  ` · ${relativeAgo(d.stateSince, now, lang)}`}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
