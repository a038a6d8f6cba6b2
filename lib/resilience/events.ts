import type { BreakerState, CallOutcome } from '../model/index.ts';
import type { TraceContext } from './tracing.ts';

export type { BreakerState, CallOutcome };
export type CacheStatus = 'hit' | 'miss' | 'stale' | 'bypass';

export interface AttemptInfo {
  number: number;
  /** Epoch ms. */
  startedAt: number;
  durationMs: number;
  status?: number;
  errorType?: string;
  /** Time waited before this attempt started (backoff or upstream hint). */
  delayBeforeMs: number;
  /** Why that wait: 'backoff', 'retry-after', 'x-ratelimit-reset'; absent for the first attempt. */
  delayReason?: string;
  /** Set on attempts started by hedging rather than by retry. */
  hedged?: boolean;
  /** This attempt's span id: the parent id in the `traceparent` the upstream received. */
  spanId: string;
  /**
   * The request body was streamed to the upstream (larger than the retry buffer): this attempt was the
   * only one, neither retried nor hedged, as Envoy does when its retry buffer overflows.
   */
  requestBodyStreamed?: boolean;
}

export interface CallSummary {
  integration: string;
  requestId: string;
  /**
   * The call log's key: ResilientRequest.callId, else the request id (ResilientClient always sets it;
   * a summary built elsewhere may leave it out, meaning the request id).
   */
  callId?: string;
  method: string;
  route: string;
  path: string;
  startedAt: number;
  durationMs: number;
  status?: number;
  outcome: CallOutcome;
  errorType?: string;
  attempts: AttemptInfo[];
  retries: number;
  cache: CacheStatus;
  rateLimitWaitMs: number;
  rateLimited: boolean;
  /** An attempt of this call was the breaker's half-open probe. */
  breakerProbe?: boolean;
  upstreamRequestId?: string;
  /** The call's trace: its span id is the logical call's; each attempt's span is its child. */
  trace: TraceContext;
  /** The first attempt's headers (a resend differs only in its `traceparent`). */
  requestHeaders: Record<string, string>;
  responseHeaders?: Record<string, string>;
  /**
   * The bodies as sent and received: references, not copies (the telemetry layer caps and redacts). A
   * streamed body is a bounded copy of its first bytes (ResilientClientOptions.bodyCopyBytes), with its
   * full length in `requestBodyBytes` / `responseBodyBytes`.
   */
  requestBody?: Uint8Array | string;
  responseBody?: Uint8Array;
  requestBodyBytes?: number;
  responseBodyBytes?: number;
  /** The caller's labels for this call (ResilientRequest.tags), e.g. which call a replay repeats. */
  tags?: Readonly<Record<string, string>>;
}

interface CallRef {
  integration: string;
  requestId: string;
  at: number;
}

export type ResilienceEvent =
  | { type: 'call.end'; summary: CallSummary }
  | ({ type: 'attempt.start'; attempt: number; hedged: boolean } & CallRef)
  | ({ type: 'attempt.end'; attempt: AttemptInfo } & CallRef)
  | ({
      type: 'retry.scheduled';
      attempt: number;
      delayMs: number;
      reason: string;
      status?: number;
      errorType?: string;
    } & CallRef)
  | {
      type: 'breaker.transition';
      integration: string;
      from: BreakerState;
      to: BreakerState;
      reason: string;
      at: number;
    }
  | ({ type: 'ratelimit.wait'; key: string; waitMs: number } & CallRef)
  | ({ type: 'ratelimit.rejected'; key: string; retryAfterMs: number } & CallRef)
  | ({ type: 'bulkhead.queued'; queueLength: number } & CallRef)
  | ({ type: 'bulkhead.rejected'; reason: 'queue_full' | 'queue_timeout' } & CallRef)
  | ({ type: 'cache.hit'; key: string; coalesced: boolean } & CallRef)
  | ({ type: 'cache.miss'; key: string } & CallRef)
  | ({ type: 'cache.stale'; key: string; ageMs: number } & CallRef)
  | ({ type: 'fallback.used'; kind: string; cause: string } & CallRef)
  | ({ type: 'hedge.started'; attempt: number } & CallRef);

export type ResilienceEventType = ResilienceEvent['type'];
/** An event about one call, as a policy builds it: `PolicyBase.emitForCall` adds the CallRef fields. */
export type CallEvent = ResilienceEvent extends infer E ? (E extends CallRef ? Omit<E, keyof CallRef> : never) : never;
export type EventOf<K extends ResilienceEventType> = Extract<ResilienceEvent, { type: K }>;
type Listener<E> = (event: E) => void;

/**
 * Typed, cheap event dispatch. Emitters call `wants(type)` before building an event, so a type nobody
 * listens to costs one property read and no allocation. A throwing listener is reported once on
 * `process.emitWarning` and otherwise ignored: telemetry must never break a call.
 */
export class EventBus {
  private readonly byType: { [K in ResilienceEventType]?: Listener<EventOf<K>>[] } = {};
  private readonly any: Listener<ResilienceEvent>[] = [];
  private warned = false;

  on<K extends ResilienceEventType>(type: K, listener: Listener<EventOf<K>>): () => void {
    if (!this.byType[type]) this.byType[type] = [];
    const list = this.byType[type] as Listener<EventOf<K>>[];
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) delete this.byType[type];
    };
  }

  onAny(listener: Listener<ResilienceEvent>): () => void {
    this.any.push(listener);
    return () => {
      const i = this.any.indexOf(listener);
      if (i >= 0) this.any.splice(i, 1);
    };
  }

  wants(type: ResilienceEventType): boolean {
    return this.any.length > 0 || this.byType[type] !== undefined;
  }

  emit(event: ResilienceEvent): void {
    const list = this.byType[event.type] as Listener<ResilienceEvent>[] | undefined;
    if (list) for (const listener of list) this.deliver(listener, event);
    for (const listener of this.any) this.deliver(listener, event);
  }

  private deliver(listener: Listener<ResilienceEvent>, event: ResilienceEvent): void {
    try {
      listener(event);
    } catch (error) {
      if (!this.warned) {
        this.warned = true;
        process.emitWarning(`A resilience event listener threw (further errors are silent): ${String(error)}`);
      }
    }
  }
}
