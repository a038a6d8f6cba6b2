import type { Wire } from '@/components/ui/api';
import { formatTime } from '@/components/ui/format';
import { StatusBadge } from '@/components/ui/StatusBadge';
import type { BreakerInterval } from '@/lib/queries';

const STATES = ['closed', 'open', 'half-open', 'isolated'] as const;

/** Closed / open / half-open / isolated bands per instance, from the stored transitions, with their reasons. */
export function BreakerTimeline({
  intervals,
  from,
  to,
}: {
  intervals: Wire<BreakerInterval>[];
  from: number;
  to: number;
}) {
  const span = to - from;
  const instances = [...new Set(intervals.map((i) => i.instance))];
  const changes = [...intervals].reverse();
  return (
    <section className="chart-panel chart-wide" aria-labelledby="breaker-timeline-title" data-testid="breaker-timeline">
      <h2 id="breaker-timeline-title">Breaker state</h2>
      {instances.length === 0 ? (
        <p className="muted">No breaker transition stored: closed on every instance over this range.</p>
      ) : (
        <>
          {instances.map((instance) => (
            <div className="timeline-row" key={instance}>
              <span className="mono muted" title={instance}>
                {instance.length > 16 ? `${instance.slice(0, 15)}…` : instance}
              </span>
              <div className="timeline-track">
                {intervals
                  .filter((i) => i.instance === instance)
                  .map((i) => {
                    const start = Math.max(from, Date.parse(i.from));
                    const end = Math.min(to, Date.parse(i.to));
                    const text = `${i.state.toUpperCase()} ${formatTime(start)}–${formatTime(end)}${i.reason ? `: ${i.reason}` : ''}`;
                    return (
                      <span
                        key={`${i.from}-${i.state}`}
                        className={`band ${i.state}`}
                        style={{ left: `${((start - from) / span) * 100}%`, width: `${((end - start) / span) * 100}%` }}
                        title={text}
                      />
                    );
                  })}
              </div>
            </div>
          ))}
          <div className="legend" aria-hidden="true">
            {STATES.map((s) => (
              <span key={s}>
                <i className={`band ${s}`} style={{ position: 'static' }} />
                {s}
              </span>
            ))}
          </div>
          <div className="transitions table-wrap">
            <table aria-label="Breaker transitions">
              <thead>
                <tr>
                  <th>Since</th>
                  <th>State</th>
                  <th>Instance</th>
                  <th>Reason</th>
                </tr>
              </thead>
              <tbody>
                {changes.map((i) => (
                  <tr key={`${i.instance}-${i.from}-${i.state}`}>
                    <td className="mono">{formatTime(i.from, span > 86_400_000)}</td>
                    <td>
                      <StatusBadge state={i.state} tone={`breaker-${i.state}`} label={i.state.toUpperCase()} />
                    </td>
                    <td className="mono muted">{i.instance}</td>
                    <td>{i.reason ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
