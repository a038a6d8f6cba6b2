import type { AbortHooks } from './clock.ts';
import { CancelledError } from './errors.ts';
import type { AttemptInfo, CacheStatus, CallOutcome } from './events.ts';

/**
 * A streamed response body still arriving after the call's promise resolved. Policies that hold something
 * for the call's whole life (the bulkhead slot, the overall deadline) let go when it settles; `error` is
 * set when the body failed midway.
 */
export interface OpenBody {
  onSettled(listener: (error: Error | undefined) => void): void;
}

/**
 * State of one logical call, shared by every policy in the pipeline. One object per call keeps the hot
 * path free of per-policy allocations; the AbortSignal is only created if someone asks for it.
 */
export class CallContext implements AbortHooks {
  /** Correlates the events of one call. */
  requestId = '';
  startedAt = 0;
  /** Epoch ms after which no new attempt or retry delay may start. */
  deadlineAt = Number.POSITIVE_INFINITY;
  /** False when running the operation twice could do harm (an unsafe HTTP method without an idempotency key). */
  repeatable = true;
  attempts: AttemptInfo[] = [];
  retries = 0;
  cache: CacheStatus = 'bypass';
  cacheKey: string | undefined;
  rateLimitWaitMs = 0;
  rateLimited = false;
  /** The breaker admitted an attempt of this call as a half-open probe. */
  breakerProbe = false;
  /** Set when a policy replaced the upstream's answer (fallback). */
  outcomeOverride: CallOutcome | undefined;
  /** Rate-limit key of the caller, limited in addition to the integration as a whole. */
  callerKey: string | undefined;
  /** Wait before the next attempt, recorded into its AttemptInfo. */
  nextDelayMs = 0;
  nextDelayReason: string | undefined;
  abortReason: Error | undefined;
  /** Set when the answer's body is streamed to the caller (ResilientRequest.streamResponse). */
  openBody: OpenBody | undefined;
  /** The function at the centre of the pipeline for this call (see Pipeline). */
  innermostStep: ((ctx: CallContext) => unknown) | undefined;

  private abortListeners: ((reason: Error) => void)[] | undefined;
  private controller: AbortController | undefined;

  /** An AbortSignal that fires on caller cancel or deadline, for functions run through `pipeline.execute`. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  onAbort(listener: (reason: Error) => void): () => void {
    if (this.abortReason) {
      listener(this.abortReason);
      return noop;
    }
    if (!this.abortListeners) this.abortListeners = [];
    const listeners = this.abortListeners;
    listeners.push(listener);
    return () => {
      const i = listeners.indexOf(listener);
      if (i >= 0) listeners.splice(i, 1);
    };
  }

  /** First reason wins: a deadline after a caller cancel stays a cancel. */
  abort(reason: Error): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    const listeners = this.abortListeners;
    if (!listeners) return;
    this.abortListeners = undefined;
    for (const listener of listeners) listener(reason);
  }
}

function noop(): void {}

/**
 * Whether the call's answer came from the cache rather than from the upstream just now: a fresh hit, or a
 * stale entry served because the upstream failed. Its headers describe the upstream when it was stored, and
 * a hit says nothing about the upstream's health; a stale answer hides a failure. The breaker and the rate
 * limiter both ask this, so they cannot disagree on what a cached answer means.
 */
export function answeredFromCache(ctx: CallContext): boolean {
  return ctx.cache === 'hit' || ctx.cache === 'stale';
}

/** Hands the caller a function that cancels the call until the unlink it returns has run (the call ended). */
export function linkCallerCancel(ctx: CallContext, onCancel: (cancel: (reason?: unknown) => void) => void): () => void {
  let linked = true;
  onCancel((reason) => {
    if (linked) ctx.abort(new CancelledError(reason));
  });
  return () => {
    linked = false;
  };
}

/** Cancels the call when the caller's signal aborts; returns the unlink to run when the call ends. */
export function linkCallerSignal(ctx: CallContext, signal: AbortSignal): () => void {
  if (signal.aborted) {
    ctx.abort(new CancelledError(signal.reason));
    return noop;
  }
  const onAbort = () => ctx.abort(new CancelledError(signal.reason));
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}
