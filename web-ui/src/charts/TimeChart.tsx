// A small time-series chart in plain SVG: bars for counts (calls per minute),
// a line for levels (MOS). No chart library: a few axes, a path, the numbers
// in an aria-label for those who do not see it.
export interface Point {
  t: number; // ms since epoch
  v: number | null; // null = no data in that bucket
}

export interface TimeChartProps {
  title: string;
  points: Point[];
  from: number;
  to: number;
  kind: 'bars' | 'line';
  /** Fixed y range (MOS: 1..5); default 0..max. */
  yMin?: number;
  yMax?: number;
  unit?: string;
  width?: number;
  height?: number;
}

const PAD = { l: 34, r: 8, t: 8, b: 20 };

function timeLabel(t: number): string {
  return new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function TimeChart(p: TimeChartProps) {
  const w = p.width ?? 480;
  const h = p.height ?? 140;
  const vals = p.points.map((x) => x.v).filter((v): v is number => v !== null);
  const yMin = p.yMin ?? 0;
  const yMax = p.yMax ?? Math.max(1, ...vals);
  const x = (t: number): number => PAD.l + ((t - p.from) / Math.max(1, p.to - p.from)) * (w - PAD.l - PAD.r);
  const y = (v: number): number => h - PAD.b - ((v - yMin) / Math.max(1e-9, yMax - yMin)) * (h - PAD.t - PAD.b);
  const step = p.points.length > 1 ? (p.to - p.from) / p.points.length : p.to - p.from;
  const barW = Math.max(1, x(p.from + step) - x(p.from) - 1);

  let line = '';
  let pen = false;
  for (const pt of p.points) {
    if (pt.v === null) {
      pen = false;
      continue;
    }
    line += `${pen ? 'L' : 'M'}${x(pt.t).toFixed(1)},${y(pt.v).toFixed(1)}`;
    pen = true;
  }
  const last = [...p.points].reverse().find((pt) => pt.v !== null)?.v;
  const peak = vals.length ? Math.max(...vals) : undefined;
  const summary = vals.length
    ? `${p.title}, ${timeLabel(p.from)} to ${timeLabel(p.to)}: latest ${last}${p.unit ?? ''}, highest ${peak}${p.unit ?? ''}.`
    : `${p.title}: no data between ${timeLabel(p.from)} and ${timeLabel(p.to)}.`;
  const ticks = [0, 0.5, 1].map((f) => p.from + f * (p.to - p.from));
  const yTicks = [yMin, (yMin + yMax) / 2, yMax];

  return (
    <figure class="chart">
      <figcaption>{p.title}</figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={summary} preserveAspectRatio="none">
        {yTicks.map((v) => (
          <g key={v}>
            <line class="grid" x1={PAD.l} x2={w - PAD.r} y1={y(v)} y2={y(v)} />
            <text class="axis" x={PAD.l - 4} y={y(v) + 4} text-anchor="end">
              {Number.isInteger(v) ? v : v.toFixed(1)}
            </text>
          </g>
        ))}
        {ticks.map((t, i) => (
          <text key={t} class="axis" x={x(t)} y={h - 4} text-anchor={i === 0 ? 'start' : i === 2 ? 'end' : 'middle'}>
            {timeLabel(t)}
          </text>
        ))}
        {p.kind === 'bars'
          ? p.points.map((pt) =>
              pt.v ? <rect key={pt.t} class="bar" x={x(pt.t)} y={y(pt.v)} width={barW} height={Math.max(0, y(yMin) - y(pt.v))} /> : null,
            )
          : [
              <path key="line" class="line" d={line} />,
              // A dot per value: a lone bucket has no line to draw.
              ...p.points.map((pt) => (pt.v === null ? null : <circle key={pt.t} class="dot" cx={x(pt.t)} cy={y(pt.v)} r={2.5} />)),
            ]}
      </svg>
    </figure>
  );
}

/** Values at times → one point per bucket (count, or the mean of the values). */
export function bucket(samples: Array<{ t: number; v?: number }>, from: number, to: number, bucketMs: number, mode: 'count' | 'mean'): Point[] {
  const n = Math.max(1, Math.ceil((to - from) / bucketMs));
  const sums = new Array<number>(n).fill(0);
  const counts = new Array<number>(n).fill(0);
  for (const s of samples) {
    if (s.t < from || s.t >= to) continue;
    const i = Math.floor((s.t - from) / bucketMs);
    counts[i]! += 1;
    sums[i]! += s.v ?? 0;
  }
  return sums.map((sum, i) => ({
    t: from + i * bucketMs,
    v: mode === 'count' ? counts[i]! : counts[i]! ? Math.round((sum / counts[i]!) * 100) / 100 : null,
  }));
}
