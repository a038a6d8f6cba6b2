'use client';

import { useState } from 'react';
import {
  Area,
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceArea,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatTime, tickFormatter } from '@/components/ui/format';

export type ChartRow = { at: number } & Record<string, number | null>;

export interface Series {
  key: string;
  label: string;
  color: string;
  kind?: 'line' | 'area' | 'bar';
  stackId?: string;
  /** 'right' puts the series on a second axis (counts beside a ratio, say) */
  axis?: 'left' | 'right';
  dashed?: boolean;
}

export interface Threshold {
  value: number;
  label: string;
}

interface TimeChartProps {
  title: string;
  data: ChartRow[];
  series: Series[];
  from: number;
  to: number;
  format: (value: number) => string;
  formatRight?: (value: number) => string;
  /** alert thresholds drawn as horizontal lines on the left axis */
  thresholds?: Threshold[];
  onZoom?: (from: number, to: number) => void;
  /** the left axis reaches at least this high, so a flat or empty series does not get a made-up scale */
  minYMax?: number;
  /** the left axis counts whole things (jobs, deliveries): no ticks between them */
  wholeNumbers?: boolean;
  empty?: boolean;
  wide?: boolean;
}

const AXIS = { stroke: 'var(--border)', tick: { fill: 'var(--muted)', fontSize: 11 } };

/**
 * A time chart of the dashboard's one style. Dragging across it selects a range to zoom into; charts
 * share a sync id so their tooltips follow each other.
 */
export function TimeChart(props: TimeChartProps) {
  const { data, series, from, to, format, formatRight, thresholds = [], onZoom } = props;
  const [drag, setDrag] = useState<{ start: number; end: number } | null>(null);
  const titleId = `chart-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  const label = (v: unknown) => (typeof v === 'number' ? v : null);
  return (
    <section className={`chart-panel${props.wide ? ' chart-wide' : ''}`} aria-labelledby={titleId}>
      <h2 id={titleId}>{props.title}</h2>
      <div
        className="chart-body"
        role="img"
        aria-label={`${props.title} chart${props.empty ? ': no calls in this range' : ''}`}
      >
        <ComposedChart
          responsive
          style={{ width: '100%', height: '100%' }}
          data={data}
          syncId="integration"
          margin={{ top: 4, right: formatRight ? 0 : 8, bottom: 0, left: 0 }}
          onMouseDown={(state) => {
            const at = label(state.activeLabel);
            if (onZoom && at !== null) setDrag({ start: at, end: at });
          }}
          onMouseMove={(state) => {
            const at = label(state.activeLabel);
            if (drag && at !== null) setDrag({ ...drag, end: at });
          }}
          onMouseUp={() => {
            if (drag && onZoom && drag.start !== drag.end)
              onZoom(Math.min(drag.start, drag.end), Math.max(drag.start, drag.end));
            setDrag(null);
          }}
          onMouseLeave={() => setDrag(null)}
        >
          <CartesianGrid stroke="var(--border)" strokeDasharray="2 4" vertical={false} />
          <XAxis
            dataKey="at"
            type="number"
            scale="time"
            domain={[from, to]}
            tickFormatter={tickFormatter(to - from)}
            minTickGap={40}
            {...AXIS}
          />
          <YAxis
            yAxisId="left"
            width={56}
            allowDecimals={!props.wholeNumbers}
            tickFormatter={format}
            domain={[0, (max: number) => Math.max(Number.isFinite(max) ? max : 0, props.minYMax ?? 0)]}
            {...AXIS}
          />
          {formatRight && (
            <YAxis yAxisId="right" orientation="right" width={44} tickFormatter={formatRight} {...AXIS} />
          )}
          <Tooltip
            labelFormatter={(at) => formatTime(Number(at), to - from > 86_400_000)}
            formatter={(value, name, item) => {
              const s = series.find((x) => x.key === item.dataKey);
              const f = s?.axis === 'right' && formatRight ? formatRight : format;
              return [typeof value === 'number' ? f(value) : '–', name];
            }}
            isAnimationActive={false}
            contentStyle={{ background: 'var(--panel-2)', border: '1px solid var(--border)', fontSize: 12 }}
          />
          <Legend iconSize={8} wrapperStyle={{ fontSize: 11 }} />
          {series.map((s) => {
            const common = {
              dataKey: s.key,
              name: s.label,
              yAxisId: s.axis ?? 'left',
              stroke: s.color,
              isAnimationActive: false,
              stackId: s.stackId,
            };
            if (s.kind === 'bar') return <Bar key={s.key} {...common} fill={s.color} />;
            if (s.kind === 'area')
              return <Area key={s.key} {...common} type="monotone" fill={s.color} fillOpacity={0.35} strokeWidth={1} />;
            return (
              <Line
                key={s.key}
                {...common}
                type="monotone"
                // Dots only when points are few: a lone step between empty ones would otherwise draw nothing.
                dot={data.length <= 90 ? { r: 1.5, strokeWidth: 0, fill: s.color } : false}
                strokeWidth={1.5}
                strokeDasharray={s.dashed ? '4 3' : undefined}
                connectNulls={false}
              />
            );
          })}
          {thresholds.map((t) => (
            <ReferenceLine
              key={t.label}
              yAxisId="left"
              y={t.value}
              stroke="var(--bad)"
              strokeDasharray="6 4"
              label={{ value: t.label, fill: 'var(--bad)', fontSize: 10, position: 'insideTopRight' }}
            />
          ))}
          {drag && drag.start !== drag.end && (
            <ReferenceArea yAxisId="left" x1={drag.start} x2={drag.end} fill="var(--accent)" fillOpacity={0.15} />
          )}
        </ComposedChart>
      </div>
    </section>
  );
}
