import { useEffect, useState } from 'react';

/**
 * The current time, re-read every `everyMs` and at `wakeAt` (the next instant a door's state
 * changes), so a frame that starts at 18:00 enables its button at 18:00 even with no push.
 */
export function useNow(everyMs: number, wakeAt?: Date | null): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  const wake = wakeAt?.getTime();
  useEffect(() => {
    if (wake === undefined) return;
    const delay = wake - Date.now();
    if (delay > 2 ** 31 - 1) return;
    const id = setTimeout(() => setNow(new Date()), Math.max(0, delay) + 20);
    return () => clearTimeout(id);
  }, [wake]);
  return now;
}
