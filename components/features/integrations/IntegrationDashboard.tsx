'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ComponentProps, type ReactElement, type ReactNode, useState } from 'react';
import { type Annotation, type ChartRow, type Series, type Threshold, TimeChart } from '@/components/charts/TimeChart';
import { resolveRange, TimeRangePicker } from '@/components/filters/TimeRangePicker';
import { useUrlRange } from '@/components/filters/useUrlRange';
import { fetchJson, type Wire } from '@/components/ui/api';
import { formatMs, formatPercent, formatTime } from '@/components/ui/format';
import { ENVIRONMENTS, type Environment, OUTCOMES } from '@/lib/model';
import type { ChartAnnotation, Timeseries } from '@/lib/queries';
import { BreakerTimeline } from './BreakerTimeline';

/** Alert thresholds to draw on the charts they watch; the alerts engine passes its firing rules' values. */
interface ChartThresholds {
  errorRate?: number;
  p95Ms?: number;
  p99Ms?: number;
}

type SeriesData = Wire<Timeseries>;

/** The charts show one environment's calls, or both together (`all`). */
type EnvironmentFilter = 'all' | Environment;

function load(slug: string, from: number, to: number, environment: EnvironmentFilter): Promise<SeriesData> {
  const query = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  if (environment !== 'all') query.set('environment', environment);
  return fetchJson<SeriesData>(`/api/integrations/${encodeURIComponent(slug)}/timeseries?${query}`);
}

function loadAnnotations(slug: string, from: number, to: number): Promise<{ annotations: Wire<ChartAnnotation>[] }> {
  const query = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  return fetchJson(`/api/integrations/${encodeURIComponent(slug)}/annotations?${query}`);
}

/** An alert or breaker change as a line on the charts: red when trouble starts, green when it ends. */
function toAnnotation(a: Wire<ChartAnnotation>): Annotation {
  const tone = a.state === 'firing' || a.state === 'open' ? 'bad' : a.state === 'half-open' ? 'warn' : 'ok';
  const label = a.kind === 'alert' ? `${a.subject} ${a.state}` : `breaker ${a.state}`;
  return { at: Date.parse(a.at), label, tone };
}

/** One row per step; `prev_*` hold the previous period's value at the same offset, for comparison. */
function toRows(series: SeriesData, previous: SeriesData | undefined): ChartRow[] {
  return series.points.map((p, i) => {
    const q = previous?.points[i];
    const row: ChartRow = {
      at: Date.parse(p.at),
      p50: p.p50Ms,
      p95: p.p95Ms,
      p99: p.p99Ms,
      errorRate: p.errorRate,
      cacheHitRatio: p.cacheHitRatio,
      rateLimitUsage: p.rateLimitUsage,
      rateLimitWaits: p.rateLimitWaits,
      rateLimitRejections: p.rateLimitRejections,
      retriesPerCall: p.retriesPerCall,
      prev_p95: q?.p95Ms ?? null,
      prev_rate: q ? q.ratePerSec : null,
      prev_errorRate: q?.errorRate ?? null,
      prev_cacheHitRatio: q?.cacheHitRatio ?? null,
      prev_rateLimitUsage: q?.rateLimitUsage ?? null,
      prev_retriesPerCall: q?.retriesPerCall ?? null,
    };
    for (const o of OUTCOMES) row[o.key] = (p.byOutcome[o.key] ?? 0) / series.stepSeconds;
    return row;
  });
}

const perSec = (v: number) => (v >= 10 ? v.toFixed(0) : v.toFixed(v >= 1 ? 1 : 2));
// Ticks can be 1.25% apart: rounding to whole percents would print two ticks the same.
const pct = (v: number) => `${Number((v * 100).toFixed(2))}%`;
const count = (v: number) => String(Math.round(v));
const SKELETONS = ['latency', 'rate', 'errors', 'cache', 'limit', 'retries'];
const PREV = { color: 'var(--muted)', dashed: true } as const;

type ChartProps = ComponentProps<typeof TimeChart>;

/**
 * Whether a chart has anything to draw: a line's value (0 % errors is worth a line), a count (area, bar) only
 * above zero, so a range without calls, cacheable calls or a limit has none.
 */
function hasData({ data, series }: ChartProps): boolean {
  return data.some((row) =>
    series.some((s) => {
      const value = row[s.key];
      return typeof value === 'number' && (s.kind === 'area' || s.kind === 'bar' ? value > 0 : true);
    }),
  );
}

/** The charts with data in the grid; those without collapse to a line each below it, saying why. */
function ChartsOrNotes({
  charts,
  children,
}: {
  charts: { props: ChartProps; note: string }[];
  /** drawn in the grid after the charts (the breaker timeline) */
  children: ReactNode;
}): ReactElement {
  const drawn = charts.filter((chart) => hasData(chart.props));
  const collapsed = charts.filter((chart) => !hasData(chart.props));
  return (
    <>
      <div className="charts">
        {drawn.map(({ props }) => (
          <TimeChart key={props.title} {...props} />
        ))}
        {children}
      </div>
      {collapsed.length > 0 && (
        <div className="chart-notes" data-testid="collapsed-charts">
          {collapsed.map(({ props, note }) => {
            const id = `empty-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
            return (
              <section key={props.title} className="chart-note" aria-labelledby={id}>
                <h2 id={id}>{props.title}</h2>
                <span className="muted">{note}</span>
              </section>
            );
          })}
        </div>
      )}
    </>
  );
}

export function IntegrationDashboard({ slug, thresholds = {} }: { slug: string; thresholds?: ChartThresholds }) {
  const [range, setRange] = useUrlRange('1h');
  const [compare, setCompare] = useState(false);
  const [environment, setEnvironment] = useState<EnvironmentFilter>('all');
  const live = range.preset !== 'custom';
  const key = [environment, ...(live ? [range.preset] : [range.from, range.to])];
  const current = useQuery({
    queryKey: ['timeseries', slug, ...key],
    queryFn: () => {
      const { from, to } = resolveRange(range);
      return load(slug, from, to, environment);
    },
    refetchInterval: live ? 5000 : false,
    placeholderData: keepPreviousData,
  });
  const previous = useQuery({
    queryKey: ['timeseries', slug, 'previous', ...key],
    queryFn: () => {
      const { from, to } = resolveRange(range);
      return load(slug, from - (to - from), from, environment);
    },
    enabled: compare,
    refetchInterval: live ? 60_000 : false,
    placeholderData: keepPreviousData,
  });
  const marks = useQuery({
    queryKey: ['annotations', slug, ...key],
    queryFn: () => {
      const { from, to } = resolveRange(range);
      return loadAnnotations(slug, from, to);
    },
    refetchInterval: live ? 5000 : false,
    placeholderData: keepPreviousData,
  });
  const annotations = (marks.data?.annotations ?? []).map(toAnnotation);
  const zoom = (from: number, to: number) => setRange({ preset: 'custom', from, to });
  const series = current.data;
  const rows = series ? toRows(series, compare ? previous.data : undefined) : [];
  const from = series ? Date.parse(series.from) : 0;
  const to = series ? Date.parse(series.to) : 0;
  // Only outcomes that occurred get a layer and a legend entry; 2xx always does.
  const outcomes = OUTCOMES.filter((o) => o.key === 'success' || series?.points.some((p) => p.byOutcome[o.key]));
  const empty = series ? series.points.every((p) => p.requests === 0) : false;
  const withPrev = (s: Series, prevKey: string, label: string): Series[] =>
    compare ? [s, { key: prevKey, label, ...PREV }] : [s];
  const latencyThresholds: Threshold[] = [];
  if (thresholds.p95Ms)
    latencyThresholds.push({ value: thresholds.p95Ms, label: `p95 alert ${formatMs(thresholds.p95Ms)}` });
  if (thresholds.p99Ms)
    latencyThresholds.push({ value: thresholds.p99Ms, label: `p99 alert ${formatMs(thresholds.p99Ms)}` });
  const common = { data: rows, from, to, onZoom: zoom, empty, annotations };
  return (
    <>
      <div className="toolbar">
        <TimeRangePicker range={range} onChange={setRange} />
        <label className="check">
          Environment
          <select
            aria-label="Environment"
            value={environment}
            onChange={(e) => setEnvironment(e.target.value as EnvironmentFilter)}
          >
            <option value="all">Both</option>
            {ENVIRONMENTS.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={compare} onChange={(e) => setCompare(e.target.checked)} />
          Compare with the previous period
        </label>
        <span className="live muted">
          {current.isFetching && <span className="pulse on" aria-hidden="true" />}
          {series &&
            (live
              ? `Live · step ${series.stepSeconds >= 3600 ? `${series.stepSeconds / 3600} h` : `${series.stepSeconds / 60} min`}`
              : `${formatTime(from, true)} – ${formatTime(to, true)}`)}
        </span>
      </div>
      {current.isError && (
        <p className="alert" role="alert">
          Could not load the charts: {current.error.message}
        </p>
      )}
      {current.isPending ? (
        <div className="charts" aria-busy="true">
          <span className="sr-only">Loading charts…</span>
          {SKELETONS.map((key) => (
            <div key={key} className="chart-panel skeleton" style={{ height: 240 }} />
          ))}
        </div>
      ) : series ? (
        <>
          {empty && <p className="panel muted">No calls in this range: pick a longer one.</p>}
          <ChartsOrNotes
            charts={[
              {
                note: 'No call in this range.',
                props: {
                  title: 'Latency',
                  ...common,
                  format: (v) => formatMs(v),
                  unit: 'latency',
                  minYMax: 10,
                  thresholds: latencyThresholds,
                  series: [
                    { key: 'p50', label: 'p50', color: 'var(--chart-2)' },
                    ...withPrev(
                      { key: 'p95', label: 'p95', color: 'var(--chart-3)' },
                      'prev_p95',
                      'p95, previous period',
                    ),
                    { key: 'p99', label: 'p99', color: 'var(--chart-4)' },
                  ],
                },
              },
              {
                note: 'No call in this range.',
                props: {
                  title: 'Request rate by outcome (per second)',
                  ...common,
                  format: perSec,
                  unit: 'calls/s',
                  minYMax: 1,
                  series: [
                    ...outcomes.map((o) => ({
                      key: o.key,
                      label: o.label,
                      color: o.color,
                      kind: 'area' as const,
                      stackId: 'outcome',
                    })),
                    ...(compare ? [{ key: 'prev_rate', label: 'total, previous period', ...PREV }] : []),
                  ],
                },
              },
              {
                note: 'No call in this range.',
                props: {
                  title: 'Error rate',
                  ...common,
                  format: pct,
                  unit: '% of calls',
                  minYMax: 0.05,
                  thresholds: thresholds.errorRate
                    ? [{ value: thresholds.errorRate, label: `alert ${formatPercent(thresholds.errorRate)}` }]
                    : [],
                  series: withPrev(
                    { key: 'errorRate', label: 'error rate', color: 'var(--chart-4)' },
                    'prev_errorRate',
                    'previous period',
                  ),
                },
              },
              {
                note: 'No cacheable call in this range.',
                props: {
                  title: 'Cache hit ratio',
                  ...common,
                  format: pct,
                  unit: '% of cacheable',
                  minYMax: 1,
                  series: withPrev(
                    { key: 'cacheHitRatio', label: 'hit ratio', color: 'var(--chart-6)' },
                    'prev_cacheHitRatio',
                    'previous period',
                  ),
                },
              },
              {
                note: series.rateLimitPerMinute
                  ? 'No call in this range.'
                  : 'No rate limit, and no call waited or was rejected in this range.',
                props: {
                  title: `Rate-limit usage${series.rateLimitPerMinute ? ` (quota ${series.rateLimitPerMinute}/min${series.rateLimitLimitOf === 'announced' ? ', announced by the upstream' : ''})` : ' (no limit)'}`,
                  ...common,
                  format: pct,
                  unit: '% of quota',
                  minYMax: 0.1,
                  formatRight: count,
                  rightUnit: 'calls',
                  series: [
                    ...withPrev(
                      { key: 'rateLimitUsage', label: 'used of quota', color: 'var(--chart-1)' },
                      'prev_rateLimitUsage',
                      'used, previous period',
                    ),
                    { key: 'rateLimitWaits', label: 'waits', color: 'var(--chart-3)', kind: 'bar', axis: 'right' },
                    {
                      key: 'rateLimitRejections',
                      label: 'rejections',
                      color: 'var(--chart-4)',
                      kind: 'bar',
                      axis: 'right',
                    },
                  ],
                  thresholds: series.rateLimitPerMinute ? [{ value: 1, label: 'quota' }] : [],
                },
              },
              {
                note: 'No call in this range.',
                props: {
                  title: 'Retries per call',
                  ...common,
                  format: (v) => v.toFixed(2),
                  unit: 'retries/call',
                  minYMax: 1,
                  series: withPrev(
                    { key: 'retriesPerCall', label: 'retries per call', color: 'var(--chart-5)' },
                    'prev_retriesPerCall',
                    'previous period',
                  ),
                },
              },
            ]}
          >
            <BreakerTimeline intervals={series.breaker} from={from} to={to} />
          </ChartsOrNotes>
        </>
      ) : null}
    </>
  );
}
