'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ChartRow, TimeChart } from '@/components/charts/TimeChart';
import { resolveRange, TimeRangePicker } from '@/components/filters/TimeRangePicker';
import { useUrlRange } from '@/components/filters/useUrlRange';
import { fetchJson, type Wire } from '@/components/ui/api';
import type { QueueSeries } from '@/lib/queries';
import { formatAge } from './QueueStats';

/** Axis ticks between whole counts keep their fraction, so two ticks never read the same. */
const count = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/** Each chart: a count on the left axis beside an age on the right. */
const CHARTS = [
  {
    title: 'Queue depth and oldest queued job',
    count: { key: 'depth', label: 'depth (queued + running)', color: 'var(--chart-1)' },
    age: { key: 'oldestQueued', label: 'oldest queued age', color: 'var(--chart-3)' },
  },
  {
    title: 'Dead letters and oldest dead letter',
    count: { key: 'deadLetters', label: 'dead letters', color: 'var(--chart-4)' },
    age: { key: 'oldestDead', label: 'oldest dead letter age', color: 'var(--chart-5)' },
  },
];

/**
 * The sampled queue over a range: depth beside the oldest queued job's age, dead letters beside the
 * oldest dead letter's age. Samples are taken every BREAKWATER_QUEUE_SAMPLE_MS by the job worker.
 */
export function QueueCharts({ integration }: { integration?: string }) {
  const [range, setRange] = useUrlRange('1h');
  const live = range.preset !== 'custom';
  const series = useQuery({
    queryKey: ['queue-series', integration ?? '', ...(live ? [range.preset] : [range.from, range.to])],
    queryFn: () => {
      const { from, to } = resolveRange(range);
      const query = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
      if (integration) query.set('integration', integration);
      return fetchJson<Wire<QueueSeries>>(`/api/jobs/stats/series?${query}`);
    },
    refetchInterval: live ? 15_000 : false,
    placeholderData: keepPreviousData,
  });
  const data = series.data;
  const rows: ChartRow[] =
    data?.points.map((p) => ({
      at: Date.parse(p.at),
      depth: p.depth,
      oldestQueued: p.oldestQueuedAgeSeconds,
      deadLetters: p.deadLetters,
      oldestDead: p.oldestDeadLetterAgeSeconds,
    })) ?? [];
  const from = data ? Date.parse(data.from) : 0;
  const to = data ? Date.parse(data.to) : 0;
  const empty = data ? data.points.every((p) => p.depth === null) : false;
  const common = {
    data: rows,
    from,
    to,
    empty,
    onZoom: (f: number, t: number) => setRange({ preset: 'custom', from: f, to: t }),
  };
  return (
    <section className="queue-charts" aria-label="Queue over time">
      <div className="toolbar">
        <TimeRangePicker range={range} onChange={setRange} />
      </div>
      {series.isError && (
        <p className="alert" role="alert">
          Could not load the charts: {series.error.message}
        </p>
      )}
      {empty && <p className="panel muted">No queue samples in this range yet (one is taken every 15 s).</p>}
      {data && (
        <div className="charts">
          {CHARTS.map(({ title, count: counted, age }) => (
            <TimeChart
              key={title}
              title={title}
              {...common}
              format={count}
              unit="jobs"
              rightUnit="age"
              minYMax={1}
              wholeNumbers
              formatRight={(v) => formatAge(v)}
              series={[counted, { ...age, axis: 'right' }]}
            />
          ))}
        </div>
      )}
    </section>
  );
}
