import type { CallSummary } from '@/lib/resilience';

/** A finished call that failed with a 500 (so the recorder keeps it in the call log), as the client reports it. */
export function failedCall(i: number, over: Partial<CallSummary> = {}): CallSummary {
  const startedAt = Date.now();
  return {
    integration: 'payments',
    requestId: `req-${i}-${Math.random()}`,
    method: 'GET',
    route: '/cards/:id',
    path: `/cards/${i}`,
    startedAt,
    durationMs: 10 + (i % 50),
    outcome: 'server_error',
    status: 500,
    attempts: [
      { number: 1, startedAt, durationMs: 10 + (i % 50), status: 500, delayBeforeMs: 0, spanId: 'b7ad6b7169203331' },
    ],
    retries: 0,
    cache: 'bypass',
    rateLimitWaitMs: 0,
    rateLimited: false,
    trace: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '01' },
    requestHeaders: {},
    ...over,
  };
}
