/**
 * A small request-rate trend drawn as one SVG path: it renders on the server with the tile, so the overview
 * is complete at first paint, and keeps a charting library out of the overview's bundle (bench/ui.ts).
 */
export function Sparkline({ values, tone }: { values: number[]; tone: string }) {
  const max = Math.max(...values, 0);
  const step = values.length > 1 ? 100 / (values.length - 1) : 100;
  const points = values.map((v, i) => `${(i * step).toFixed(2)},${(38 - (max ? (v / max) * 36 : 0)).toFixed(2)}`);
  const line = `M${points.join('L')}`;
  return (
    <svg className="sparkline" viewBox="0 0 100 40" preserveAspectRatio="none" aria-hidden="true">
      <path d={`${line}L100,40L0,40Z`} fill={`var(--${tone})`} fillOpacity={0.15} />
      <path d={line} fill="none" stroke={`var(--${tone})`} strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
