import type { CacheStore } from './cache.ts';
import type { CallContext } from './context.ts';
import { CancelledError } from './errors.ts';
import type { Policy } from './options.ts';
import { PolicyBase, type PolicyEnv } from './policy.ts';
import type { HttpResult } from './transport.ts';

/** Why the fallback ran: the error the call failed with, or the 5xx it ended on. */
export type FallbackCause = { error: Error } | { result: HttpResult };
/** A code-level fallback (options can only hold data); undefined means "no fallback, fail as usual". */
export type FallbackHandler = (
  cause: FallbackCause,
  ctx: CallContext,
) => HttpResult | undefined | Promise<HttpResult | undefined>;

/**
 * Answers instead of failing: a static response, the last cached response whatever its age ('stale'), or
 * a handler function. Runs on typed errors and on a final 5xx; never on a caller's cancel.
 */
export class FallbackPolicy extends PolicyBase<Policy['fallback']> {
  /** `cacheStore` answers the 'stale' kind; `handler` replaces the options' answer when given. */
  constructor(
    options: Policy['fallback'],
    env: PolicyEnv,
    private readonly cacheStore: CacheStore,
    private readonly handler?: FallbackHandler,
  ) {
    super(options, env);
  }

  private get active(): boolean {
    return this.options.kind !== 'none' || this.handler !== undefined;
  }

  run<T>(next: (ctx: CallContext) => Promise<T>, ctx: CallContext): Promise<T> {
    return this.active ? this.runWithFallback(next, ctx) : next(ctx);
  }

  private async runWithFallback<T>(next: (ctx: CallContext) => Promise<T>, ctx: CallContext): Promise<T> {
    let result: T;
    try {
      result = await next(ctx);
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      const replacement = await this.replacement({ error: error as Error }, ctx);
      if (replacement === undefined) throw error;
      return replacement as T;
    }
    const status = (result as HttpResult).status;
    if (typeof status !== 'number' || status < 500) return result;
    return ((await this.replacement({ result: result as HttpResult }, ctx)) ?? result) as T;
  }

  private async replacement(cause: FallbackCause, ctx: CallContext): Promise<HttpResult | undefined> {
    let answer: HttpResult | undefined;
    let kind: string = this.options.kind;
    if (this.handler) {
      answer = await this.handler(cause, ctx);
      kind = 'handler';
    } else if (this.options.kind === 'static') {
      answer = {
        status: this.options.status,
        headers: { ...this.options.headers },
        body: Buffer.from(this.options.body),
      };
    } else if (this.options.kind === 'stale' && ctx.cacheKey !== undefined) {
      const entry = await this.cacheStore.get(ctx.cacheKey);
      if (entry) {
        answer = { status: entry.status, headers: entry.headers, body: entry.body };
        ctx.cache = 'stale';
      }
    }
    if (answer === undefined) return undefined;
    ctx.outcomeOverride = 'fallback';
    if (this.wants('fallback.used')) {
      const reason =
        'error' in cause
          ? ((cause.error as { errorType?: string }).errorType ?? cause.error.name)
          : `status_${cause.result.status}`;
      this.emitForCall(ctx, {
        type: 'fallback.used',
        kind,
        cause: reason,
      });
    }
    return answer;
  }
}
