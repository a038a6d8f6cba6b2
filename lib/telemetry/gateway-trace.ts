import { continueTrace, type TraceContext, traceparentOf } from '@/lib/resilience';
import type { GatewaySpanRequest } from './otel';
import { telemetryState } from './state';

/** A gateway request's trace context: what to hand the client, and the SERVER span's ids when spans are exported. */
export interface GatewayTrace {
  /** The incoming context for the resilient client (`ResilientRequest.traceparent` / `tracestate`). */
  traceparent?: string;
  tracestate?: string;
  /** The SERVER span's ids: its parent is the caller's span; absent when no trace exporter is configured. */
  server?: TraceContext;
}

/**
 * Continues the caller's `traceparent`/`tracestate` with a SERVER span for the gateway request and returns
 * the context the client must continue, so the logical call span is the SERVER span's child. Without a
 * trace exporter it only passes the caller's context on (the client validates it): no ids, no span.
 */
export function gatewayTrace(traceparent?: string, tracestate?: string): GatewayTrace {
  if (!telemetryState().otel?.spans) return { traceparent, tracestate };
  const server = continueTrace(traceparent, tracestate);
  return { traceparent: traceparentOf(server, server.spanId), tracestate: server.tracestate, server };
}

/** Exports the gateway request's SERVER span, built after the fact; nothing when spans are not exported. */
export function recordGatewaySpan(trace: GatewayTrace, request: GatewaySpanRequest): void {
  if (!trace.server) return;
  telemetryState().otel?.spans?.recordServer(trace.server, request);
}
