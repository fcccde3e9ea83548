import { lazy, Suspense, useCallback, useState } from 'react';
import { useI18n } from '../i18n';
import { PlotMap, type Point } from './plot-map';

/** Tile server, set at build time (e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png`); none → plot only. */
const TILE_URL: string = import.meta.env.VITE_TILE_URL ?? '';
const ATTRIBUTION: string =
  import.meta.env.VITE_TILE_ATTRIBUTION ?? '© OpenStreetMap contributors';
const LeafletMap = lazy(() => import('./leaflet-map'));

/**
 * The space and its units on a Leaflet map; with no tile server, no network, or tiles that fail
 * to load, a plain SVG plot of the same coordinates, so the positions are always readable.
 */
export function SpaceMap(props: { points: Point[] }) {
  const { t } = useI18n();
  const [failed, setFailed] = useState(false);
  const onFail = useCallback(() => setFailed(true), []);
  const plot = <PlotMap points={props.points} />;
  const tiles =
    TILE_URL !== '' && navigator.onLine && !failed && props.points.length > 0;
  return (
    <div className="map-wrap">
      {tiles ? (
        <Suspense fallback={plot}>
          <LeafletMap
            points={props.points}
            tileUrl={TILE_URL}
            attribution={ATTRIBUTION}
            onFail={onFail}
          />
        </Suspense>
      ) : (
        plot
      )}
      {failed && <p className="muted">{t('home.tilesFailed')}</p>}
    </div>
  );
}
