'use client';

import { useEffect, useState } from 'react';
import { StatusBadge } from '@/components/ui/StatusBadge';

/** "1m12s", "8 s": short enough for a badge, exact to the second. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** The badge's text at `now`: how long the breaker has been in its state and, open, when it probes next. */
export function breakerLabel(state: string, since: string | null, openMs: number, now: number): string {
  const name = state.toUpperCase();
  if (state === 'closed' || since === null) return name;
  const openedAt = new Date(since).getTime();
  const elapsed = `${name} ${formatElapsed(now - openedAt)}`;
  if (state === 'half-open') return `${elapsed}, probing`;
  if (state !== 'open') return elapsed;
  const nextProbe = openedAt + openMs - now;
  // Counted down in whole seconds rounded up, so it never reads "in 0 s" before the probe is due.
  return nextProbe > 0
    ? `${elapsed}, next probe in ${formatElapsed(Math.ceil(nextProbe / 1000) * 1000)}`
    : `${elapsed}, probe due`;
}

/**
 * The breaker's state with its duration and next probe, counted live (a tick a second while tripped), so
 * it reads "OPEN 1m12s, next probe in 8 s" without a hover. The state itself comes with the page's data.
 */
export function BreakerBadge({
  state,
  since,
  openMs,
  title,
}: {
  state: string;
  since: string | null;
  openMs: number;
  title?: string;
}) {
  // Set after hydration: the server's clock would not match the browser's text.
  const [now, setNow] = useState<number | null>(null);
  const ticking = state !== 'closed' && since !== null;
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return (
    <StatusBadge
      state={state}
      tone={`breaker-${state}`}
      label={now === null ? state.toUpperCase() : breakerLabel(state, since, openMs, now)}
      title={title}
    />
  );
}
