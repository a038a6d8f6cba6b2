'use client';

import { useQuery } from '@tanstack/react-query';
import { fetchJson } from '@/components/ui/api';
import { formatCount } from '@/components/ui/format';
import { Stat } from '@/components/ui/Stat';
import type { QueueStats as Stats } from '@/lib/queries';

/** An age in seconds as people read it: "45 s", "12 min", "3.5 h", "2.0 d"; "–" when there is none. */
export function formatAge(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 10 && !Number.isInteger(seconds)) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export const QUEUE_REFRESH_MS = 3000;

/** The live queue: the same numbers the charts sample and the alert rules watch. */
function useQueueStats() {
  return useQuery({
    queryKey: ['queue-stats'],
    queryFn: () => fetchJson<Stats>('/api/jobs/stats'),
    refetchInterval: QUEUE_REFRESH_MS,
  });
}

/** Depth, counts per state, dead letters and the oldest ages, refreshed every few seconds. */
export function QueueStatsBar() {
  const stats = useQueueStats();
  if (stats.isError)
    return (
      <p className="alert" role="alert">
        Could not load the queue's numbers: {stats.error.message}
      </p>
    );
  const s = stats.data;
  const n = (value: number | undefined) => (value === undefined ? '…' : formatCount(value));
  return (
    <dl className="panel queue-stats" aria-label="Queue now" aria-busy={stats.isPending}>
      <Stat label="Depth" value={n(s?.depth)} testId="stat-depth" />
      <Stat label="Queued" value={n(s?.byState.queued)} testId="stat-queued" />
      <Stat label="Running" value={n(s?.byState.running)} testId="stat-running" />
      <Stat label="Done" value={n(s?.byState.done)} testId="stat-done" />
      <Stat
        label="Dead letters"
        value={n(s?.deadLetters)}
        testId="stat-dead"
        tone={s?.deadLetters ? 'bad' : undefined}
      />
      <Stat label="Discarded" value={n(s?.byState.discarded)} testId="stat-discarded" />
      <Stat label="Oldest queued" value={s ? formatAge(s.oldestQueuedAgeSeconds) : '…'} testId="stat-oldest-queued" />
      <Stat
        label="Oldest dead letter"
        value={s ? formatAge(s.oldestDeadLetterAgeSeconds) : '…'}
        testId="stat-oldest-dead"
      />
    </dl>
  );
}
