export type GeoResult =
  | { ok: true; position: { lat: number; lon: number; accuracyMeters: number } }
  | { ok: false; code: 'location_denied' | 'location_unavailable' };

/** The phone's position for a geofenced open; the browser asks for permission the first time. */
export function currentPosition(timeoutMs = 10_000): Promise<GeoResult> {
  return new Promise((resolve) => {
    if (!('geolocation' in navigator)) {
      resolve({ ok: false, code: 'location_unavailable' });
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) =>
        resolve({
          ok: true,
          position: {
            lat: p.coords.latitude,
            lon: p.coords.longitude,
            accuracyMeters: Math.round(p.coords.accuracy),
          },
        }),
      (err) =>
        resolve({
          ok: false,
          code:
            err.code === err.PERMISSION_DENIED
              ? 'location_denied'
              : 'location_unavailable',
        }),
      // A fresh fix: after "too far" she walks closer and tries again.
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 0 },
    );
  });
}
