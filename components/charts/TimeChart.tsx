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
import { formatTime, tickFormatter, timeZoneOf } from '@/components/ui/format';
import { niceTicks, timeTicks } from './ticks';

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

/** Something that happened at one instant, drawn as a vertical line on every chart of the page. */
export interface Annotation {
  at: number;
  /** short: it is written beside the line ("breaker open", "alert firing: Slow p95") */
  label: string;
  tone: 'bad' | 'warn' | 'ok';
}

interface TimeChartProps {
  title: string;
  data: ChartRow[];
  series: Series[];
  from: number;
  to: number;
  format: (value: number) => string;
  /** what the left axis counts, written along it ("ms", "calls/s", "% of calls") */
  unit: string;
  formatRight?: (value: number) => string;
  rightUnit?: string;
  /** alert thresholds drawn as horizontal lines on the left axis */
  thresholds?: Threshold[];
  /** alert transitions and breaker events in the range */
  annotations?: Annotation[];
  onZoom?: (from: number, to: number) => void;
  /** the left axis reaches at least this high, so a flat or empty series does not get a made-up scale */
  minYMax?: number;
  /** the left axis counts whole things (jobs, deliveries): no ticks between them */
  wholeNumbers?: boolean;
  empty?: boolean;
  wide?: boolean;
}

const AXIS = { stroke: 'var(--border)', tick: { fill: 'var(--muted)', fontSize: 11 } };
const AXIS_LABEL = { fill: 'var(--muted)', fontSize: 11 };
/** Both y axes always take this room (an absent right axis too), so every chart's plot has one width and time lines up. */
const LEFT_AXIS_WIDTH = 64;
const RIGHT_AXIS_WIDTH = 52;
const TONE = { bad: 'var(--bad)', warn: 'var(--warn)', ok: 'var(--ok)' } as const;

/**
 * A time chart of the dashboard's one style: straight segments between measured points (no smoothing
 * that invents peaks), round ticks, axes that say their unit. Dragging across it selects a range to zoom
 * into; charts share a sync id by time, so one crosshair and tooltip follow the pointer across a page.
 */
export function TimeChart(props: TimeChartProps) {
  const { data, series, from, to, format, formatRight, thresholds = [], annotations = [], onZoom } = props;
  const [drag, setDrag] = useState<{ start: number; end: number } | null>(null);
  const titleId = `chart-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  const label = (v: unknown) => (typeof v === 'number' ? v : null);
  const leftTicks = niceTicks(leftMax(data, series, props.minYMax ?? 0), 4, props.wholeNumbers);
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
          syncMethod="value"
          margin={{ top: 14, right: formatRight ? 0 : RIGHT_AXIS_WIDTH, bottom: 0, left: 0 }}
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
            ticks={timeTicks(from, to, 6, -new Date(to).getTimezoneOffset())}
            tickFormatter={tickFormatter(to - from)}
            height={34}
            label={{ value: `time (${timeZoneOf(new Date(to))})`, position: 'insideBottomRight', ...AXIS_LABEL }}
            {...AXIS}
          />
          <YAxis
            yAxisId="left"
            width={LEFT_AXIS_WIDTH}
            ticks={leftTicks}
            domain={[0, leftTicks[leftTicks.length - 1]]}
            tickFormatter={format}
            label={{
              value: props.unit,
              angle: -90,
              position: 'insideLeft',
              ...AXIS_LABEL,
              style: { textAnchor: 'middle' },
            }}
            {...AXIS}
          />
          {formatRight && (
            <YAxis
              yAxisId="right"
              orientation="right"
              width={RIGHT_AXIS_WIDTH}
              allowDecimals={false}
              tickFormatter={formatRight}
              label={{
                value: props.rightUnit,
                angle: 90,
                position: 'insideRight',
                ...AXIS_LABEL,
                style: { textAnchor: 'middle' },
              }}
              {...AXIS}
            />
          )}
          <Tooltip
            cursor={{ stroke: 'var(--muted)', strokeWidth: 1 }}
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
              return (
                <Area key={s.key} {...common} type="stepAfter" fill={s.color} fillOpacity={0.35} strokeWidth={1} />
              );
            return (
              <Line
                key={s.key}
                {...common}
                type="linear"
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
          {annotations.map((a) => (
            <ReferenceLine
              key={`${a.at}-${a.label}`}
              yAxisId="left"
              x={a.at}
              stroke={TONE[a.tone]}
              strokeDasharray="3 3"
              // Written on the side with room: recent events sit at the right edge, where text would be cut.
              label={{
                value: a.label,
                fill: TONE[a.tone],
                fontSize: 9,
                position: a.at > (from + to) / 2 ? 'insideTopRight' : 'insideTopLeft',
              }}
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

/**
 * The highest value on the left axis: its series, stacked ones summed per row. Thresholds far above the
 * data are left out (drawing them would flatten the lines they watch).
 */
function leftMax(data: ChartRow[], series: Series[], floor: number): number {
  let max = floor;
  const left = series.filter((s) => (s.axis ?? 'left') === 'left');
  for (const row of data) {
    const stacks = new Map<string, number>();
    for (const s of left) {
      const v = row[s.key];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      if (s.stackId) stacks.set(s.stackId, (stacks.get(s.stackId) ?? 0) + v);
      else max = Math.max(max, v);
    }
    for (const total of stacks.values()) max = Math.max(max, total);
  }
  return max;
}
