import type { MessageKey } from '../i18n';
import { useI18n } from '../i18n';
import {
  availability,
  formatRanges,
  todaysRanges,
} from '../model/availability';
import { formatDate, formatWhen } from '../model/format';
import type { DoorModel, SpaceModel } from '../model/view';
import { errorText } from './errors';
import { PasscodeDialog } from './passcode-dialog';
import { useOpen } from './use-open';

interface Props {
  space: SpaceModel;
  door: DoorModel;
  now: Date;
  userId: string;
}

/** One door: live state, when she may open it, and the big open button with its progress. */
export function DoorCard({ space, door, now, userId }: Props) {
  const { t, lang } = useI18n();
  const av = availability(space, door, now);
  const open = useOpen(door, userId);
  const tz = space.timezone;
  const access = door.asAdmin ? null : space.access?.access;
  const ranges = door.asAdmin ? null : todaysRanges(space, now);
  const when = (at: Date) => formatWhen(at, now, tz, lang, t);
  const until = (at: Date) => formatWhen(at, now, tz, lang, t, 'until');

  let availabilityText: string;
  if (av.allowed)
    availabilityText = av.nextChangeAt
      ? `${t('door.availableNow')} · ${until(av.nextChangeAt)}`
      : t('door.availableNow');
  else if (av.reason === 'door_locked_down')
    availabilityText = t('door.lockedDown');
  else if (av.reason === 'expired' && access?.validUntil)
    availabilityText = t('door.expiredOn', {
      date: formatDate(new Date(access.validUntil), lang, tz),
    });
  else availabilityText = errorText(t, av.reason ?? 'no_access');

  const stateKey: MessageKey = door.unitOnline
    ? `state.${door.state}`
    : 'state.unitOffline';
  const progress =
    open.phase === 'locating'
      ? t('open.locating')
      : open.phase === 'sending'
        ? t('open.sending')
        : open.phase === 'opened'
          ? t('open.opened')
          : open.phase === 'error' && open.error
            ? errorText(t, open.error)
            : '';
  const headingId = `door-${door.id}`;
  const closedLabel =
    av.nextChangeAt && av.reason !== 'expired'
      ? t('door.opensAt', { when: when(av.nextChangeAt) })
      : t('door.notAvailable');

  return (
    <article className="door" aria-labelledby={headingId} data-door={door.name}>
      <div className="door-head">
        <h2 id={headingId}>{door.name}</h2>
        {(door.state !== 'unknown' || !door.unitOnline) && (
          // A door without a sensor is always "unknown": nothing worth a badge.
          <span
            className={`badge state-${door.unitOnline ? door.state : 'offline'}`}
          >
            {t(stateKey)}
          </span>
        )}
      </div>
      {!door.asAdmin && (
        <dl className="when">
          <dt>{t('door.today')}</dt>
          <dd data-testid="today">
            {ranges === null
              ? t('door.anyTime')
              : ranges.length
                ? formatRanges(ranges)
                : t('door.notToday')}
          </dd>
        </dl>
      )}
      {(av.allowed || !av.nextChangeAt || av.reason === 'expired') && (
        // When closed until a known time, the disabled button itself says when it opens.
        <p
          className={av.allowed ? 'avail ok' : 'avail'}
          data-testid="availability"
        >
          {availabilityText}
        </p>
      )}
      {access?.validFrom && av.reason === 'not_yet_valid' && (
        <p className="muted">
          {t('door.validFrom', {
            date: formatDate(new Date(access.validFrom), lang, tz),
          })}
        </p>
      )}
      {access?.validUntil && av.reason !== 'expired' && (
        <p className="muted">
          {t('door.validUntil', {
            date: formatDate(new Date(access.validUntil), lang, tz),
          })}
        </p>
      )}
      {door.geofenceMeters !== null && (
        <p className="muted">
          {t('door.geofence', { m: door.geofenceMeters })}
        </p>
      )}
      <button
        type="button"
        className={`open-btn phase-${open.phase}`}
        disabled={!av.allowed || open.busy}
        // Disabled, its text ("Opens at 18:00") needs the door's name to make sense on its own.
        aria-label={
          av.allowed
            ? t('door.openLabel', { door: door.name })
            : `${door.name}: ${closedLabel}`
        }
        aria-describedby={`${headingId}-progress`}
        onClick={open.start}
      >
        {av.allowed
          ? open.phase === 'opened'
            ? t('open.opened')
            : t('door.open')
          : closedLabel}
      </button>
      <p
        id={`${headingId}-progress`}
        className={`progress phase-${open.phase}`}
        role={open.phase === 'error' ? 'alert' : 'status'}
        data-open-state={open.phase}
      >
        {progress}
      </p>
      {open.phase === 'passcode' && (
        <PasscodeDialog
          door={door.name}
          wrong={open.passcodeWrong}
          onSubmit={open.submitPasscode}
          onCancel={open.cancel}
        />
      )}
    </article>
  );
}
