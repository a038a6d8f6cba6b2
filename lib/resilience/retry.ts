import { backoffDelay } from './backoff.ts';
import { sleep } from './clock.ts';
import type { CallContext } from './context.ts';
import type { Policy } from './options.ts';
import { PolicyBase, type PolicyEnv } from './policy.ts';
import { RetryBudget } from './retry-budget.ts';
import { hasStatus, isRetryableError, isRetryableResult, upstreamDelayHint } from './retryable.ts';

/**
 * Retries retryable answers and errors with backoff. The upstream's own hint (Retry-After,
 * X-RateLimit-Reset) is a floor, never undercut; a retry whose delay would end past the call's deadline is
 * not attempted, and the last answer or error is returned as is.
 */
export class RetryPolicy extends PolicyBase<Policy['retry']> {
  readonly budget: RetryBudget;

  constructor(options: Policy['retry'], env: PolicyEnv) {
    super(options, env);
    this.budget = new RetryBudget(options.budget);
  }

  override configure(options: Policy['retry']): void {
    super.configure(options);
    this.budget.configure(options.budget);
  }

  async run<T>(next: (ctx: CallContext) => Promise<T>, ctx: CallContext): Promise<T> {
    const options = this.options;
    this.budget.recordCall(this.env.clock.now());
    let previousDelay = 0;
    for (let retry = 1; ; retry++) {
      let outcome: unknown;
      let threw = false;
      try {
        outcome = await next(ctx);
        if (!isRetryableResult(outcome, options)) return outcome as T;
      } catch (error) {
        if (!isRetryableError(error, options)) throw error;
        outcome = error;
        threw = true;
      }
      const delay = this.delayBeforeRetry(retry, previousDelay, outcome, ctx);
      if (delay === undefined) {
        if (threw) throw outcome;
        return outcome as T;
      }
      if (this.wants('retry.scheduled')) {
        this.emitForCall(ctx, {
          type: 'retry.scheduled',
          attempt: retry + 1,
          delayMs: delay.delayMs,
          reason: delay.reason,
          status: hasStatus(outcome) ? outcome.status : undefined,
          errorType: threw ? (outcome as { errorType?: string }).errorType : undefined,
        });
      }
      previousDelay = delay.delayMs;
      ctx.retries = retry;
      ctx.nextDelayMs = delay.delayMs;
      ctx.nextDelayReason = delay.reason;
      await sleep(this.env.clock, delay.delayMs, ctx);
    }
  }

  /** The delay before the next attempt, or undefined when the call must stop here. */
  private delayBeforeRetry(
    retry: number,
    previousDelay: number,
    outcome: unknown,
    ctx: CallContext,
  ): { delayMs: number; reason: string } | undefined {
    if (retry > this.options.maxRetries || ctx.abortReason) return undefined;
    if (!ctx.repeatable) return undefined;
    const now = this.env.clock.now();
    const backoff = backoffDelay(retry, previousDelay, this.options, this.env.random);
    const hint = upstreamDelayHint(outcome, now);
    const delay = hint && hint.delayMs >= backoff ? hint : { delayMs: backoff, reason: 'backoff' };
    if (now + delay.delayMs >= ctx.deadlineAt) return undefined;
    // Checked last so that a retry we would not make anyway does not spend budget.
    if (!this.budget.tryAcquire(now)) return undefined;
    return delay;
  }
}
