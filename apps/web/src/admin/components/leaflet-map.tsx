import 'leaflet/dist/leaflet.css';
import L from 'leaflet';
import { useEffect, useRef } from 'react';
import type { Point } from './plot-map';

/** Loaded only when a tile server is configured, so the bundle carries Leaflet only then. */
export default function LeafletMap(props: {
  points: Point[];
  tileUrl: string;
  attribution: string;
  onFail: () => void;
}) {
  const el = useRef<HTMLDivElement>(null);
  const { onFail, points, tileUrl, attribution } = props;
  useEffect(() => {
    if (!el.current) return;
    const map = L.map(el.current, { scrollWheelZoom: false });
    let loaded = false;
    const layer = L.tileLayer(tileUrl, { attribution, maxZoom: 19 });
    layer.on('tileload', () => {
      loaded = true;
    });
    layer.on('tileerror', () => {
      if (!loaded) onFail();
    });
    layer.addTo(map);
    for (const p of points) {
      L.circleMarker([p.lat, p.lon], {
        radius: p.kind === 'space' ? 9 : 6,
        color:
          p.kind === 'space' ? '#0f3d3e' : p.online ? '#1a7f4b' : '#b42318',
        fillOpacity: 0.8,
      })
        .bindTooltip(p.label, { permanent: true, direction: 'right' })
        .addTo(map);
    }
    const bounds = L.latLngBounds(
      points.map((p) => [p.lat, p.lon] as [number, number]),
    );
    map.fitBounds(bounds.pad(0.5), { maxZoom: 17 });
    return () => {
      map.remove();
    };
  }, [points, onFail, tileUrl, attribution]);
  return (
    <div
      ref={el}
      className="leaflet-box"
      role="img"
      aria-label={points.map((p) => p.label).join(', ')}
    />
  );
}
