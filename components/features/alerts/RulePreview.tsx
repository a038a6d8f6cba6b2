'use client';

import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

export interface PreviewData {
  integration: string;
  threshold: number;
  /** %, ms, /s, count, s; '' for a plain ratio */
  unit: string;
  points: { at: number; value: number | null }[];
  spans: { from: number; to: number; state: 'pending' | 'firing' }[];
  firedCount: number;
}

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

const SPAN_FILL = { pending: 'var(--warn)', firing: 'var(--bad)' };

/** `value unit`, rounded as a reader wants it: "412 ms", "12.5 %", "0.40". */
function withUnit(value: number, unit: string): string {
  const rounded = Math.abs(value) >= 100 ? Math.round(value) : Number(value.toFixed(2));
  return unit && unit !== 'count' ? `${rounded} ${unit}` : String(rounded);
}

/**
 * The metric of each integration in the rule's scope over the last 24 h, one small chart each: cropped to
 * the minutes that have data, the threshold always inside the vertical range, and the spans the rule
 * would have been pending (amber) or firing (red) shaded.
 */
export function RulePreviews({ previews }: { previews: PreviewData[] }) {
  return (
    <section aria-label="Rule preview" style={{ display: 'grid', gap: 16 }}>
      {previews.map((preview) => (
        <RulePreview key={preview.integration} preview={preview} />
      ))}
    </section>
  );
}

export function RulePreview({ preview }: { preview: PreviewData }) {
  const withData = preview.points.filter((p) => p.value !== null);
  const hasData = withData.length > 0;
  // Cropped to the minutes with data (the whole range when none has: an empty chart says so).
  const all = hasData ? withData : preview.points;
  const from = all[0]?.at ?? 0;
  const to = all.at(-1)?.at ?? 0;
  const points = preview.points.filter((p) => p.at >= from && p.at <= to);
  const values = withData.map((p) => p.value as number);
  // The threshold stays in view even when every value is far below (or above) it.
  const low = Math.min(0, preview.threshold, ...values);
  const high = Math.max(preview.threshold, ...values) * 1.1 || 1;
  return (
    <figure style={{ margin: 0 }} data-testid={`preview-${preview.integration}`}>
      <p data-testid="preview-summary">
        <strong>{preview.integration}</strong>, last 24 h: would have fired{' '}
        <strong>
          {preview.firedCount} {preview.firedCount === 1 ? 'time' : 'times'}
        </strong>{' '}
        (threshold {withUnit(preview.threshold, preview.unit)})
        {!hasData && <span className="muted"> (no data in the range)</span>}
      </p>
      <div style={{ height: 180 }}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
            <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
            <XAxis
              dataKey="at"
              type="number"
              scale="time"
              domain={[from, to]}
              tickFormatter={time}
              stroke="var(--muted)"
              minTickGap={40}
            />
            <YAxis
              stroke="var(--muted)"
              width={72}
              domain={[low, high]}
              tickFormatter={(v: number) => withUnit(v, preview.unit)}
            />
            <Tooltip
              labelFormatter={(label) => new Date(Number(label)).toLocaleString()}
              formatter={(value) => [withUnit(Number(value), preview.unit), preview.integration]}
              contentStyle={{ background: 'var(--panel-2)', border: '1px solid var(--border)' }}
            />
            {preview.spans
              .filter((span) => span.to >= from && span.from <= to)
              .map((span) => (
                <ReferenceArea
                  key={`${span.state}-${span.from}`}
                  x1={Math.max(span.from, from)}
                  x2={Math.min(span.to, to)}
                  fill={SPAN_FILL[span.state]}
                  fillOpacity={0.15}
                  ifOverflow="hidden"
                />
              ))}
            <Line
              type="stepAfter"
              dataKey="value"
              stroke="var(--chart-1)"
              dot={false}
              isAnimationActive={false}
              connectNulls={false}
            />
            <ReferenceLine
              y={preview.threshold}
              stroke="var(--bad)"
              strokeDasharray="6 3"
              label={{
                value: `threshold ${withUnit(preview.threshold, preview.unit)}`,
                fill: 'var(--bad)',
                position: 'insideTopRight',
              }}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
