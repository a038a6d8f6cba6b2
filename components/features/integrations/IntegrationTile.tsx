import Link from 'next/link';
import { Sparkline } from '@/components/charts/Sparkline';
import type { Wire } from '@/components/ui/api';
import { formatCount, formatMoney, formatMs, formatPercent, formatRate } from '@/components/ui/format';
import { Stat } from '@/components/ui/Stat';
import { errorRateTone } from '@/lib/model';
import type { OverviewTile } from '@/lib/queries';
import { BreakerBadge } from './BreakerBadge';

const TONE = { ok: 'ok', warn: 'warn', bad: 'bad', idle: 'muted' } as const;
const HEALTH_LABEL = { ok: 'healthy', warn: 'degraded', bad: 'failing', idle: 'no recent traffic' } as const;

/** What the integration cost this month so far, in minor units of its price's currency. */
export interface TileCost {
  costMinor: number;
  currency: string;
}

/** One integration at a glance, Hystrix-style; fixed size so a refresh never moves the grid. */
export function IntegrationTile({
  tile,
  windowLabel,
  cost,
}: {
  tile: Wire<OverviewTile>;
  windowLabel: string;
  cost?: TileCost;
}) {
  const { breaker } = tile;
  const breakerDetail =
    breaker.tripped > 0
      ? `${breaker.state} on ${breaker.tripped} of ${breaker.instances} instance${breaker.instances === 1 ? '' : 's'}${breaker.reason ? `: ${breaker.reason}` : ''}`
      : 'closed on every instance';
  const errorTone = errorRateTone(tile.recentErrorRate);
  const upstreamTone = errorRateTone(
    tile.recentUpstreamSuccessRate === null ? null : 1 - tile.recentUpstreamSuccessRate,
  );
  const recentLabel = `last ${Math.round(tile.recentWindowSeconds)} s`;
  const alerts = tile.firingAlerts;
  return (
    <article
      className={`tile health-${tile.health}`}
      data-testid={`integration-${tile.slug}`}
      data-health={tile.health}
      aria-labelledby={`tile-${tile.slug}`}
    >
      <header className="tile-head">
        <span className={`dot ${tile.health}`} role="img" aria-label={HEALTH_LABEL[tile.health]} />
        <h2 id={`tile-${tile.slug}`} className="tile-name">
          <Link href={`/integrations/${tile.slug}`} title={tile.name}>
            {tile.name}
          </Link>
        </h2>
        {breaker.instances > 1 && breaker.tripped > 0 && (
          <span className="muted mono" title={breakerDetail}>
            {breaker.tripped}/{breaker.instances}
          </span>
        )}
        <span data-testid="breaker-state">
          <BreakerBadge state={breaker.state} since={breaker.since} openMs={breaker.openMs} title={breakerDetail} />
        </span>
      </header>
      <p className="tile-sub mono muted" title={tile.baseUrl}>
        {tile.slug} · {tile.baseUrl}
      </p>
      <div className="tile-spark" aria-hidden="true">
        <Sparkline values={tile.sparkline} tone={TONE[tile.health]} />
        <span className="tile-rate mono" title={`over the ${recentLabel}`}>
          {formatRate(tile.recentRatePerSec)}
        </span>
      </div>
      <dl className="tile-stats">
        <Stat
          label="Errors 1 min"
          value={formatPercent(tile.recentErrorRate)}
          testId="recent-error-rate"
          tone={errorTone}
        />
        <Stat
          label="Upstr. ok 1m"
          value={formatPercent(tile.recentUpstreamSuccessRate)}
          testId="upstream-success"
          tone={upstreamTone}
        />
        <Stat
          label="Short-circ."
          value={formatCount(tile.served.shortCircuits)}
          testId="short-circuits"
          tone={tile.recentShortCircuits > 0 ? 'bad' : undefined}
        />
        <Stat label={`Calls ${windowLabel}`} value={formatCount(tile.requests)} testId="requests" />
        <Stat
          label={`Err ${windowLabel}`}
          value={formatPercent(tile.errorRate)}
          testId="error-rate"
          tone={errorRateTone(tile.errorRate)}
        />
        <Stat
          label="Alerts"
          value={alerts ? String(alerts.length) : '–'}
          testId="alerts"
          tone={alerts?.length ? 'bad' : undefined}
        />
        <Stat label="p50" value={formatMs(tile.p50Ms)} testId="p50" />
        <Stat label="p95" value={formatMs(tile.p95Ms)} testId="p95" />
        <Stat label="p99" value={formatMs(tile.p99Ms)} testId="p99" />
        <Stat label="Upstream p95" value={formatMs(tile.upstream.p95Ms)} testId="upstream-p95" />
        <Stat label="Cache hit" value={formatPercent(tile.cacheHitRatio)} testId="cache-hit" />
        <Stat
          label={`${tile.rateLimitLimitOf === 'announced' ? 'Announced limit' : 'Limit'}, peak ${tile.rateLimitPeakOf === 'minute' ? 'min' : 'h'}`}
          value={
            tile.rateLimitRejections > 0
              ? `${formatPercent(tile.rateLimitUsage)}, ${formatCount(tile.rateLimitRejections)} rejected`
              : formatPercent(tile.rateLimitUsage)
          }
          testId="rate-limit"
          tone={tile.rateLimitRejections > 0 ? 'warn' : undefined}
        />
      </dl>
      <p className="tile-cost muted" data-testid="cost-mtd">
        Cost this month: {cost ? formatMoney(cost.costMinor, cost.currency) : 'no price set'}
      </p>
    </article>
  );
}
