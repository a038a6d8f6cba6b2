import type { CallContext } from './context.ts';
import { TimeoutError } from './errors.ts';
import type { Policy } from './options.ts';
import { PolicyBase } from './policy.ts';

function abortAtDeadline(arg: unknown): void {
  const ctx = arg as CallContext;
  ctx.abort(new TimeoutError('overall', ctx.deadlineAt - ctx.startedAt));
}

/**
 * Overall deadline of a call, retries and their delays included. When it passes the call's context
 * aborts: an in-flight attempt is cut at the socket and a pending retry delay ends with TimeoutError.
 * Functions run through `pipeline.execute` see it on `ctx.signal` (cooperative, as cockatiel's
 * TimeoutStrategy.Cooperative). The per-attempt timeout lives with the attempt itself (transport.ts).
 */
export class DeadlinePolicy extends PolicyBase<Policy['timeout']> {
  get attemptMs(): number {
    return this.options.attemptMs;
  }

  async run<T>(next: (ctx: CallContext) => Promise<T>, ctx: CallContext): Promise<T> {
    const clock = this.env.clock;
    const now = clock.now();
    if (ctx.startedAt === 0) ctx.startedAt = now;
    ctx.deadlineAt = Math.min(ctx.deadlineAt, now + this.options.overallMs);
    const timer = clock.setTimer(abortAtDeadline, ctx.deadlineAt - now, ctx);
    let result: T;
    try {
      result = await next(ctx);
    } catch (error) {
      clock.clearTimer(timer);
      throw error;
    }
    // The deadline still cuts a streamed body that hangs.
    if (ctx.openBody) ctx.openBody.onSettled(() => clock.clearTimer(timer));
    else clock.clearTimer(timer);
    return result;
  }
}
