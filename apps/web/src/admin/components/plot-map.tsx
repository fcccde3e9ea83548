import { useI18n } from '../i18n';

export interface Point {
  kind: 'space' | 'unit';
  label: string;
  lat: number;
  lon: number;
  online?: boolean;
}

/** Equirectangular plot of the points with a metre scale: readable with no tiles and no network. */
export function PlotMap(props: { points: Point[] }) {
  const { t } = useI18n();
  const { points } = props;
  if (points.length === 0)
    return <p className="empty">{t('home.noLocation')}</p>;
  const w = 560;
  const h = 300;
  const lat0 = points.reduce((s, p) => s + p.lat, 0) / points.length;
  const k = Math.cos((lat0 * Math.PI) / 180);
  // Metres from the centroid (good enough at a building's scale).
  const xy = points.map((p) => ({
    ...p,
    x: p.lon * k * 111_320,
    y: p.lat * 110_540,
  }));
  const xs = xy.map((p) => p.x);
  const ys = xy.map((p) => p.y);
  const span =
    Math.max(
      60,
      Math.max(...xs) - Math.min(...xs),
      Math.max(...ys) - Math.min(...ys),
    ) * 1.4;
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2;
  const cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  const scale = (Math.min(w, h) - 40) / span;
  const px = (x: number) => w / 2 + (x - cx) * scale;
  const py = (y: number) => h / 2 - (y - cy) * scale;
  const bar = niceMeters(span / 4);
  return (
    <figure className="plot">
      <svg
        viewBox={`0 0 ${w} ${h}`}
        role="img"
        aria-label={t('home.plotLabel')}
      >
        <rect width={w} height={h} className="plot-bg" />
        {xy.map((p) => (
          <g
            key={`${p.kind}-${p.label}`}
            transform={`translate(${px(p.x)} ${py(p.y)})`}
          >
            <circle
              r={p.kind === 'space' ? 9 : 6}
              className={`pt pt-${p.kind} ${p.online === false ? 'off' : ''}`}
            />
            <text x={12} y={4} className="pt-label">
              {p.label}
            </text>
          </g>
        ))}
        <g transform={`translate(16 ${h - 16})`}>
          <line x1={0} x2={bar * scale} y1={0} y2={0} className="scale" />
          <text x={0} y={-6} className="tick">
            {bar} m
          </text>
        </g>
        <text x={w - 12} y={20} textAnchor="end" className="tick">
          N ↑
        </text>
      </svg>
      <figcaption>
        <ul className="coords">
          {points.map((p) => (
            <li key={`${p.kind}-${p.label}`}>
              {p.label}: {p.lat.toFixed(5)}, {p.lon.toFixed(5)}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

function niceMeters(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= x) ?? x;
}
