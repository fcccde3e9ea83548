/** Small dependency-free SVG charts; each has a text alternative (a hidden table) for screen readers. */
export interface Datum {
  label: string;
  value: number;
}

export function ColumnChart(props: {
  title: string;
  data: Datum[];
  every?: number;
}) {
  const w = 560;
  const h = 180;
  const pad = { l: 28, b: 24, t: 10 };
  const max = Math.max(1, ...props.data.map((d) => d.value));
  const bw = (w - pad.l) / Math.max(1, props.data.length);
  const every = props.every ?? 1;
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={props.title}>
        <line
          x1={pad.l}
          x2={w}
          y1={h - pad.b}
          y2={h - pad.b}
          className="axis"
        />
        <text x={pad.l - 4} y={pad.t + 8} className="tick" textAnchor="end">
          {max}
        </text>
        <text x={pad.l - 4} y={h - pad.b} className="tick" textAnchor="end">
          0
        </text>
        {props.data.map((d, i) => {
          const bh = ((h - pad.b - pad.t) * d.value) / max;
          const x = pad.l + i * bw;
          return (
            <g key={d.label}>
              <rect
                x={x + bw * 0.15}
                width={bw * 0.7}
                y={h - pad.b - bh}
                height={bh}
                className="bar"
              >
                <title>{`${d.label}: ${d.value}`}</title>
              </rect>
              {i % every === 0 && (
                <text
                  x={x + bw / 2}
                  y={h - 8}
                  className="tick"
                  textAnchor="middle"
                >
                  {d.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <DataTable title={props.title} data={props.data} />
    </figure>
  );
}

export function BarList(props: {
  title: string;
  data: Datum[];
  empty: string;
  tone?: 'danger';
}) {
  const max = Math.max(1, ...props.data.map((d) => d.value));
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      {props.data.length === 0 ? (
        <p className="muted">{props.empty}</p>
      ) : (
        <svg
          viewBox={`0 0 400 ${props.data.length * 26}`}
          role="img"
          aria-label={props.title}
        >
          {props.data.map((d, i) => (
            <g key={d.label} transform={`translate(0 ${i * 26})`}>
              <text x={0} y={16} className="tick">
                {d.label}
              </text>
              <rect
                x={150}
                y={4}
                height={16}
                width={(210 * d.value) / max}
                className={props.tone === 'danger' ? 'bar bar-danger' : 'bar'}
              />
              <text x={156 + (210 * d.value) / max} y={16} className="tick">
                {d.value}
              </text>
            </g>
          ))}
        </svg>
      )}
      <DataTable title={props.title} data={props.data} />
    </figure>
  );
}

function DataTable(props: { title: string; data: Datum[] }) {
  return (
    <div className="sr-only">
      <table>
        <caption>{props.title}</caption>
        <tbody>
          {props.data.map((d) => (
            <tr key={d.label}>
              <th scope="row">{d.label}</th>
              <td>{d.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
