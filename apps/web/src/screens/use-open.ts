import { useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../api';
import { currentPosition } from '../model/geo';
import { hasPasscode, verifyPasscode } from '../model/passcode';
import type { DoorModel } from '../model/view';

export type OpenPhase =
  | 'idle'
  | 'passcode'
  | 'locating'
  | 'sending'
  | 'opened'
  | 'error';

const SHOW_OPENED_MS = 5000;

/**
 * One tap → (passcode) → (position, when a geofence applies) → POST /open → opened, or the
 * refusal's error id. The server answers only once the unit confirmed the relay pulse.
 */
export function useOpen(door: DoorModel, userId: string) {
  const [phase, setPhase] = useState<OpenPhase>('idle');
  const [error, setError] = useState<string | null>(null);
  const [passcodeWrong, setPasscodeWrong] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const send = async () => {
    clearTimeout(timer.current);
    setError(null);
    let location:
      | { lat: number; lon: number; accuracyMeters: number }
      | undefined;
    let locationProblem: 'location_denied' | 'location_unavailable' | null =
      null;
    if (door.geofenceMeters !== null) {
      setPhase('locating');
      const geo = await currentPosition();
      if (geo.ok) location = geo.position;
      else locationProblem = geo.code;
    }
    setPhase('sending');
    try {
      // Without a position the server still decides (and logs the attempt): it may not need one.
      await api(
        'POST',
        `/v1/doors/${door.id}/open`,
        location ? { location } : {},
      );
      setPhase('opened');
      timer.current = setTimeout(() => setPhase('idle'), SHOW_OPENED_MS);
    } catch (e) {
      const code = e instanceof ApiError ? e.code : 'unknown';
      setError(
        code === 'location_required' && locationProblem
          ? locationProblem
          : code,
      );
      setPhase('error');
    }
  };

  const busy =
    phase === 'passcode' || phase === 'locating' || phase === 'sending';
  return {
    phase,
    error,
    busy,
    passcodeWrong,
    start() {
      if (busy) return;
      if (hasPasscode(userId)) {
        setPasscodeWrong(false);
        setPhase('passcode');
      } else void send();
    },
    async submitPasscode(code: string) {
      if (await verifyPasscode(userId, code)) void send();
      else setPasscodeWrong(true);
    },
    cancel() {
      setPhase('idle');
    },
  };
}
