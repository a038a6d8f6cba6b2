import { formatMs } from '@/components/ui/format';
import type { CallAttemptView } from '@/lib/queries';

/** Attempts on one time axis: the wait before each (hatched) and the attempt itself (green or red). */
export function AttemptWaterfall({
  startedAt,
  durationMs,
  attempts,
}: {
  startedAt: number;
  durationMs: number;
  attempts: CallAttemptView[];
}) {
  const end = Math.max(startedAt + durationMs, ...attempts.map((a) => a.startedAt.getTime() + a.durationMs));
  const span = Math.max(1, end - startedAt);
  const pct = (ms: number) => `${(Math.max(0, ms) / span) * 100}%`;
  return (
    <ol className="waterfall plain" aria-label="Attempt waterfall">
      {attempts.map((a) => {
        const start = a.startedAt.getTime() - startedAt;
        const failed = a.errorType !== null || (a.status !== null && a.status >= 500);
        const label = `Attempt ${a.number}: ${a.status ?? a.errorType ?? 'no answer'}, ${formatMs(a.durationMs)}${a.delayBeforeMs ? ` after waiting ${formatMs(a.delayBeforeMs)} (${a.delayReason ?? 'delay'})` : ''}`;
        return (
          <li className="waterfall-row" key={a.number} aria-label={label}>
            <span className="mono">
              #{a.number} +{formatMs(start)}
            </span>
            <div className="waterfall-track" aria-hidden="true">
              {a.delayBeforeMs > 0 && (
                <span className="wait" style={{ left: pct(start - a.delayBeforeMs), width: pct(a.delayBeforeMs) }} />
              )}
              <span className={`run ${failed ? 'bad' : 'ok'}`} style={{ left: pct(start), width: pct(a.durationMs) }} />
            </div>
            <span className={`mono ${failed ? 'status-bad' : 'status-ok'}`}>
              {a.status ?? a.errorType ?? '–'} · {formatMs(a.durationMs)}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
