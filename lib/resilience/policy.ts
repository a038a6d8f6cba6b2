import { CallContext, linkCallerSignal } from './context.ts';

/** What every policy implements: run `next` under its rule, with the call's shared context. */
export interface ResiliencePolicy {
  run<T>(next: (ctx: CallContext) => Promise<T>, ctx: CallContext): Promise<T>;
}

type Step = (ctx: CallContext) => Promise<unknown>;

/** Calls the function at the centre; a synchronous throw becomes a rejection, without an async layer. */
const callInnermost: Step = (ctx) => {
  try {
    return Promise.resolve((ctx.innermostStep as (c: CallContext) => unknown)(ctx));
  } catch (error) {
    return Promise.reject(error);
  }
};

/**
 * Policies composed outermost first, as cockatiel's `wrap()`. The chain of steps is built once here, so a
 * call allocates no closures for the composition itself.
 */
export class Pipeline implements ResiliencePolicy {
  private readonly entry: Step;

  constructor(
    readonly policies: readonly ResiliencePolicy[],
    private readonly integration = '',
  ) {
    let next = callInnermost;
    for (let i = policies.length - 1; i >= 0; i--) {
      const policy = policies[i];
      const inner = next;
      next = (ctx) => policy.run(inner, ctx);
    }
    this.entry = next;
  }

  run<T>(fn: (ctx: CallContext) => Promise<T> | T, ctx: CallContext): Promise<T> {
    ctx.innermostStep = fn;
    return this.entry(ctx) as Promise<T>;
  }

  /** Runs any function through the policies (cockatiel's `policy.execute(fn, signal)`). */
  async execute<T>(fn: (ctx: CallContext) => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    const ctx = new CallContext();
    ctx.integration = this.integration;
    if (!signal) return this.run(fn, ctx);
    const unlink = linkCallerSignal(ctx, signal);
    try {
      return await this.run(fn, ctx);
    } finally {
      unlink();
    }
  }
}

export function wrap(...policies: ResiliencePolicy[]): Pipeline {
  return new Pipeline(policies);
}
