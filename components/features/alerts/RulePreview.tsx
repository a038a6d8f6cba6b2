'use client';

import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface PreviewData {
  integration: string;
  threshold: number;
  points: { at: number; value: number | null }[];
  firedCount: number;
}

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** The rule's metric over the last 24 h with the threshold line, and how often the rule would have fired. */
export function RulePreview({ preview }: { preview: PreviewData }) {
  const hasData = preview.points.some((p) => p.value !== null);
  return (
    <figure style={{ margin: 0 }} aria-label="Rule preview">
      <p data-testid="preview-summary">
        <strong>{preview.integration}</strong>, last 24 h: would have fired{' '}
        <strong>
          {preview.firedCount} {preview.firedCount === 1 ? 'time' : 'times'}
        </strong>
        {!hasData && <span className="muted"> (no data in the range)</span>}
      </p>
      <div style={{ height: 220 }}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={preview.points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
            <XAxis dataKey="at" tickFormatter={time} stroke="var(--muted)" minTickGap={40} />
            <YAxis stroke="var(--muted)" width={56} />
            <Tooltip
              labelFormatter={(label) => new Date(Number(label)).toLocaleString()}
              contentStyle={{ background: 'var(--panel-2)', border: '1px solid var(--border)' }}
            />
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
              label={{ value: 'threshold', fill: 'var(--bad)', position: 'insideTopRight' }}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
