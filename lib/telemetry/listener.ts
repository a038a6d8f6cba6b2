import type { ResilienceEvent } from '@/lib/resilience';
import { getRecorder } from './index';
import type { RedactionRules } from './redact';

/**
 * What the telemetry layer does with one integration's client events: the single place the client's
 * events enter telemetry (rollups and call log now; spans and metrics hang off the same listener).
 */
export function callListener(integrationId: string, redaction: () => RedactionRules): (event: ResilienceEvent) => void {
  const recorder = getRecorder();
  return (event) => {
    if (event.type === 'call.end') recorder.record(integrationId, event.summary, { redaction: redaction() });
    else if (event.type === 'breaker.transition') recorder.recordBreakerTransition(integrationId, event);
  };
}
