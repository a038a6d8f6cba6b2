import type { Wire } from '@/components/ui/api';
import { formatTime } from '@/components/ui/format';
import type { SyncRunView, SyncView } from '@/lib/syncs';

/** A sync and a run as the API shows them (lib/syncs' views, over the wire). */
export type SyncWire = Wire<SyncView>;
export type SyncRunWire = Wire<SyncRunView>;

const STATUS_CLASS: Record<string, string> = {
  ok: 'status-ok',
  done: 'status-ok',
  running: 'status-warn',
  waiting: 'muted',
  disabled: 'muted',
  failing: 'status-bad',
  failed: 'status-bad',
  interrupted: 'status-warn',
};

/** The badge tone of a sync's status or a run's state. */
export const syncStateTone = (state: string) => STATUS_CLASS[state] ?? 'muted';

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** Lag: how old the newest delivered item is, or, without item times, how long since the last success. */
export function SyncLag({ lag }: { lag: SyncWire['lag'] }) {
  if (!lag) return <span className="muted">–</span>;
  return (
    <span
      title={lag.basis === 'newest-item' ? 'age of the newest delivered item' : 'time since the last successful run'}
    >
      {duration(lag.ms)}
      {lag.basis === 'last-success' && <span className="muted"> since success</span>}
    </span>
  );
}

export function SyncWhen({ at }: { at: string | null }) {
  return at ? <time dateTime={at}>{formatTime(at, true)}</time> : <span className="muted">never</span>;
}
