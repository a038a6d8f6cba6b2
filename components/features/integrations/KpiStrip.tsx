'use client';

import { useQuery } from '@tanstack/react-query';
import { fetchJson, type Wire } from '@/components/ui/api';
import { formatCount, formatMs, formatPercent, formatRate } from '@/components/ui/format';
import { Stat } from '@/components/ui/Stat';
import { errorRateTone } from '@/lib/model';
import type { OverviewTile } from '@/lib/queries';
import { BreakerBadge } from './BreakerBadge';

/** The range the strip's counts cover; its headline figures are the last minute's. */
const WINDOW = '15m';

/**
 * An integration's state now, first on its page: request rate, the callers' and the upstream's error %,
 * p95 of both, the breaker with how long and when it probes next, firing alerts; then what callers were
 * answered without the upstream over the last 15 minutes. Refreshed with the overview's cadence.
 */
export function KpiStrip({ slug }: { slug: string }) {
  const overview = useQuery({
    queryKey: ['overview', WINDOW, slug],
    queryFn: () =>
      fetchJson<{ integrations: Wire<OverviewTile>[] }>(
        `/api/overview?window=${WINDOW}&integration=${encodeURIComponent(slug)}`,
      ),
    refetchInterval: 5000,
  });
  const tile = overview.data?.integrations[0];
  if (overview.isError)
    return (
      <p className="alert" role="alert">
        Could not load the figures: {overview.error.message}
      </p>
    );
  if (!tile) return <div className="kpi-strip skeleton" aria-busy="true" />;
  const upstreamErrors = tile.recentUpstreamSuccessRate === null ? null : 1 - tile.recentUpstreamSuccessRate;
  const seconds = Math.round(tile.recentWindowSeconds);
  const alerts = tile.firingAlerts ?? [];
  const { served } = tile;
  return (
    <section className="kpi-strip" aria-label="Now" data-testid="kpi-strip" data-health={tile.health}>
      <dl className="kpis">
        <Stat label={`Rate (last ${seconds} s)`} value={formatRate(tile.recentRatePerSec)} testId="kpi-rate" />
        <Stat
          label="Caller errors 1 min"
          value={formatPercent(tile.recentErrorRate)}
          testId="kpi-caller-errors"
          tone={errorRateTone(tile.recentErrorRate)}
        />
        <Stat
          label="Upstream errors 1 min"
          value={formatPercent(upstreamErrors)}
          testId="kpi-upstream-errors"
          tone={errorRateTone(upstreamErrors)}
        />
        <Stat
          label="p95 caller / upstream 15 min"
          value={`${formatMs(tile.p95Ms)} / ${formatMs(tile.upstream.p95Ms)}`}
          testId="kpi-p95"
        />
        <Stat
          label="Breaker"
          value={<BreakerBadge state={tile.breaker.state} since={tile.breaker.since} openMs={tile.breaker.openMs} />}
          testId="kpi-breaker"
        />
        <Stat
          label={`Rate limit, peak ${tile.rateLimitPeakOf} 15 min`}
          value={
            tile.rateLimitUsage === null
              ? 'no limit'
              : `${formatPercent(tile.rateLimitUsage)} of ${formatCount(tile.rateLimitPerMinute ?? 0)}/min${tile.rateLimitLimitOf === 'announced' ? ' (announced by the upstream)' : ''}, ${formatCount(tile.rateLimitRejections)} rejected`
          }
          testId="kpi-rate-limit"
          tone={tile.rateLimitRejections > 0 ? 'warn' : undefined}
        />
        <Stat
          label="Firing alerts"
          value={alerts.length ? alerts.map((a) => a.name).join(', ') : 'none'}
          testId="kpi-alerts"
          tone={alerts.length ? 'bad' : undefined}
        />
      </dl>
      <p className="muted kpi-served" data-testid="kpi-served">
        Last 15 min: {formatCount(tile.requests)} calls, {formatCount(tile.upstream.attempts)} upstream attempts (
        {formatPercent(tile.upstream.successRate)} ok); answered without the upstream:{' '}
        <span data-testid="kpi-short-circuits">{formatCount(served.shortCircuits)}</span> short-circuited,{' '}
        {formatCount(served.fromCache)} from cache, {formatCount(served.stale)} stale, {formatCount(served.fallbacks)}{' '}
        by fallback; {formatCount(served.probes)} breaker probes.
      </p>
    </section>
  );
}
