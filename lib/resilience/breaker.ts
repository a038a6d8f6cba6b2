import { answeredFromCache, type CallContext } from './context.ts';
import { CircuitOpenError } from './errors.ts';
import type { BreakerState } from './events.ts';
import type { Policy } from './options.ts';
import { PolicyBase, type PolicyEnv } from './policy.ts';
import { isBreakerFailure } from './retryable.ts';

type BreakerOptions = Policy['breaker'];

/** A transition another instance should follow: its new state, why, and (open) until when. */
export interface BreakerChange {
  state: BreakerState;
  reason: string;
  /** Epoch ms an open breaker admits a probe again; 0 for other states. */
  openUntil: number;
}

/**
 * What a breaker shares with the other instances of a cluster (lib/shared-state implements it over Redis).
 * Used only while the breaker's scope is `cluster`.
 */
export interface BreakerSync {
  /** Tells the other instances of a transition made here (open, closed, isolated; half-open is local). */
  publish(change: BreakerChange): void;
  /** Whether one of the cluster's `probes` half-open probes of the open period ending at `openUntil` is this one. */
  claimProbe(openUntil: number, probes: number, ttlMs: number): Promise<boolean>;
}

/** Outcomes over the last N calls (count window) or the last T ms in one-second buckets (time window). */
class OutcomeWindow {
  private failures: Uint32Array;
  private totals: Uint32Array;
  private stamps: Float64Array;
  private cursor = 0;
  private readonly bucketMs: number;

  constructor(readonly window: BreakerOptions['window']) {
    const size = window.kind === 'count' ? window.size : Math.max(1, Math.ceil(window.ms / 1000));
    this.bucketMs = window.kind === 'count' ? 0 : window.ms / size;
    this.failures = new Uint32Array(size);
    this.totals = new Uint32Array(size);
    this.stamps = new Float64Array(size).fill(-1);
  }

  record(failed: boolean, now: number): void {
    let index: number;
    if (this.bucketMs === 0) {
      index = this.cursor;
      this.cursor = (this.cursor + 1) % this.totals.length;
      this.failures[index] = 0;
      this.totals[index] = 0;
    } else {
      const slot = Math.floor(now / this.bucketMs);
      index = slot % this.totals.length;
      if (this.stamps[index] !== slot) {
        this.stamps[index] = slot;
        this.failures[index] = 0;
        this.totals[index] = 0;
      }
    }
    this.totals[index]++;
    if (failed) this.failures[index]++;
  }

  /** [failures, total] currently inside the window. */
  counts(now: number): [number, number] {
    let failures = 0;
    let total = 0;
    const oldest = this.bucketMs === 0 ? -2 : Math.floor(now / this.bucketMs) - this.totals.length;
    for (let i = 0; i < this.totals.length; i++) {
      if (this.bucketMs !== 0 && this.stamps[i] <= oldest) continue;
      failures += this.failures[i];
      total += this.totals[i];
    }
    return [failures, total];
  }
}

/**
 * Circuit breaker with resilience4j's feature set: consecutive-failure or failure-rate mode, count or time
 * window, minimum throughput, slow calls as failures, N half-open probes closing after M successes,
 * manual isolate / force-open / reset, and a dry-run mode that transitions and reports but never rejects.
 */
export class CircuitBreaker extends PolicyBase<BreakerOptions> {
  private currentState: BreakerState = 'closed';
  private openUntil = 0;
  private consecutiveFailures = 0;
  private probesInFlight = 0;
  private probeSuccesses = 0;
  private window: OutcomeWindow;
  private sync: BreakerSync | undefined;

  constructor(options: BreakerOptions, env: PolicyEnv) {
    super(options, env);
    this.window = new OutcomeWindow(options.window);
  }

  /** New settings keep the current state; the window restarts only if its shape changed. */
  override configure(options: BreakerOptions): void {
    if (JSON.stringify(options.window) !== JSON.stringify(this.options.window)) {
      this.window = new OutcomeWindow(options.window);
    }
    super.configure(options);
  }

  get state(): BreakerState {
    if (this.currentState === 'open' && this.env.clock.now() >= this.openUntil) {
      this.transition('half-open', 'open duration elapsed');
    }
    return this.currentState;
  }

  /** Milliseconds until an open breaker admits a probe (0 when it admits calls now). */
  get retryAfterMs(): number {
    return this.currentState === 'open' ? Math.max(0, this.openUntil - this.env.clock.now()) : 0;
  }

  /** Opens until `reset()`: for planned maintenance or a known bad upstream. */
  isolate(): void {
    this.manual('isolated', 'isolated manually');
  }

  /** Opens now for the configured open duration, then probes as usual. */
  forceOpen(reason = 'opened manually'): void {
    this.open(reason);
  }

  reset(): void {
    this.consecutiveFailures = 0;
    this.window = new OutcomeWindow(this.options.window);
    this.manual('closed', 'reset manually');
  }

  /** An operator's isolate or reset reaches the cluster even when this instance was already there. */
  private manual(to: 'isolated' | 'closed', reason: string): void {
    const unchanged = this.currentState === to;
    this.transition(to, reason);
    if (unchanged) this.shared?.publish({ state: to, reason, openUntil: 0 });
  }

  /** Shares this breaker's transitions and probes through `sync` (undefined: stop sharing). */
  shareWith(sync: BreakerSync | undefined): void {
    this.sync = sync;
  }

  private get shared(): BreakerSync | undefined {
    return this.options.scope === 'cluster' ? this.sync : undefined;
  }

  /**
   * Follows a transition made on another instance, without publishing it again. Its event says where it
   * came from, so this instance's metrics and breaker history show the state it now enforces.
   */
  follow(change: BreakerChange): void {
    if (this.shared === undefined) return;
    // Heard twice (the stored state read at attach, then its message): followed once.
    if (change.state === this.currentState && (change.state !== 'open' || change.openUntil === this.openUntil)) return;
    if (change.state === 'open') this.openUntil = change.openUntil;
    if (change.state === 'closed') this.consecutiveFailures = 0;
    this.transition(change.state, `${change.reason} (on another instance)`, false);
  }

  async run<T>(next: (ctx: CallContext) => Promise<T>, ctx: CallContext): Promise<T> {
    let isProbe = this.admit();
    const shared = isProbe ? this.shared : undefined;
    if (shared !== undefined) isProbe = await this.claimClusterProbe(shared);
    if (isProbe) ctx.breakerProbe = true;
    const startedAt = this.options.slowCallMs === null ? 0 : this.env.clock.now();
    let outcome: unknown;
    let threw = false;
    try {
      outcome = await next(ctx);
      return outcome as T;
    } catch (error) {
      outcome = error;
      threw = true;
      throw error;
    } finally {
      if (isProbe) this.probesInFlight--;
      // An answer from the cache says nothing about the upstream's health unless it is stale: that one
      // was served because the upstream failed, so it counts as that failure. A caller's cancel says nothing.
      if (answeredFromCache(ctx)) {
        if (ctx.cache === 'stale') this.record(true, isProbe);
      } else if (!(threw && outcome === ctx.abortReason)) {
        const slow = this.options.slowCallMs !== null && this.env.clock.now() - startedAt > this.options.slowCallMs;
        this.record(slow || isBreakerFailure(outcome, threw, this.options), isProbe);
      }
    }
  }

  /** Throws CircuitOpenError unless a call may pass; returns whether it passes as a half-open probe. */
  private admit(): boolean {
    const state = this.state;
    if (state === 'closed') return false;
    if (state === 'half-open' && this.probesInFlight < this.options.halfOpenProbes) {
      this.probesInFlight++;
      return true;
    }
    if (this.options.dryRun) return false;
    throw new CircuitOpenError(
      state === 'isolated' ? Number.POSITIVE_INFINITY : this.retryAfterMs,
      state === 'isolated',
    );
  }

  /** A half-open probe admitted here goes only if the cluster has a probe left for this open period. */
  private async claimClusterProbe(sync: BreakerSync): Promise<boolean> {
    const claimed = await sync.claimProbe(this.openUntil, this.options.halfOpenProbes, this.options.openMs);
    if (claimed) return true;
    this.probesInFlight--;
    if (this.options.dryRun) return false;
    // Another instance's probe decides within its call's time; asking again in a second is soon enough.
    throw new CircuitOpenError(1000, false);
  }

  private record(failed: boolean, isProbe: boolean): void {
    if (this.currentState === 'half-open') {
      // Only probes judge recovery; calls admitted before the breaker opened say nothing new.
      if (!isProbe) return;
      if (failed) {
        this.open('probe failed');
        return;
      }
      if (++this.probeSuccesses >= this.options.closeAfterSuccesses) this.transition('closed', 'probes succeeded');
      return;
    }
    if (isProbe || this.currentState !== 'closed') return;
    if (this.options.mode === 'consecutive') {
      this.consecutiveFailures = failed ? this.consecutiveFailures + 1 : 0;
      if (this.consecutiveFailures >= this.options.consecutiveFailures) {
        this.open(`${this.consecutiveFailures} consecutive failures`);
      }
      return;
    }
    const now = this.env.clock.now();
    this.window.record(failed, now);
    if (!failed) return;
    const [failures, total] = this.window.counts(now);
    if (total >= this.options.minimumThroughput && failures / total >= this.options.failureRateThreshold) {
      this.open(`failure rate ${Math.round((failures / total) * 100)}% over ${total} calls`);
    }
  }

  private open(reason: string): void {
    this.openUntil = this.env.clock.now() + this.options.openMs;
    this.transition('open', reason);
  }

  private transition(to: BreakerState, reason: string, publish = true): void {
    const from = this.currentState;
    this.currentState = to;
    this.probeSuccesses = 0;
    if (to === 'closed') {
      this.consecutiveFailures = 0;
      this.window = new OutcomeWindow(this.options.window);
    }
    if (from !== to || to === 'open') {
      this.env.events.emit({
        type: 'breaker.transition',
        integration: this.env.name,
        from,
        to,
        reason,
        at: this.env.clock.now(),
      });
      // Half-open follows from openUntil on every instance by itself; the others are told.
      if (publish && to !== 'half-open')
        this.shared?.publish({ state: to, reason, openUntil: to === 'open' ? this.openUntil : 0 });
    }
  }
}
