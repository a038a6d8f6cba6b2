interface TelemetryHealthProps {
  droppedCallLogRows: number;
  droppedRollups: number;
  droppedBreakerEvents: number;
  failedFlushes: number;
  lastFlushError?: string;
}

/** Telemetry that could not be stored is never silent: a banner says how much, on this instance. */
export function TelemetryHealth(stats: TelemetryHealthProps) {
  const dropped = stats.droppedCallLogRows + stats.droppedRollups + stats.droppedBreakerEvents;
  if (dropped === 0 && !stats.lastFlushError) return null;
  return (
    <p className="alert telemetry-health" role="status" data-testid="telemetry-health">
      Telemetry on this instance: {stats.droppedRollups} calls missing from rollups, {stats.droppedCallLogRows} call-log
      rows and {stats.droppedBreakerEvents} breaker events dropped; {stats.failedFlushes} failed writes
      {stats.lastFlushError ? ` (last: ${stats.lastFlushError})` : ''}. Also exported as
      breakwater_telemetry_dropped_total.
    </p>
  );
}
