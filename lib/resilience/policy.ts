import { type Clock, systemClock } from './clock.ts';
import { CallContext, linkCallerSignal } from './context.ts';
import { type CallEvent, EventBus, type ResilienceEventType } from './events.ts';

/** What every policy implements: run `next` under its rule, with the call's shared context. */
export interface ResiliencePolicy {
  run<T>(next: (ctx: CallContext) => Promise<T>, ctx: CallContext): Promise<T>;
  /** Runs any function under this policy alone, as cockatiel's `policy.execute(fn, signal)`. */
  execute<T>(fn: (ctx: CallContext) => Promise<T> | T, signal?: AbortSignal): Promise<T>;
}

/** What a policy needs from its surroundings; every policy is built as `new XPolicy(options, env)`. */
export interface PolicyEnv {
  clock: Clock;
  events: EventBus;
  /** The integration's name, carried by every event the policy emits. */
  name: string;
  /** Random source for jitter; tests pass a fixed one. */
  random: () => number;
}

/** A PolicyEnv with the system clock, a fresh EventBus, no name and Math.random for what is not given. */
export function policyEnv(given: Partial<PolicyEnv> = {}): PolicyEnv {
  return {
    clock: given.clock ?? systemClock,
    events: given.events ?? new EventBus(),
    name: given.name ?? '',
    random: given.random ?? Math.random,
  };
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

/** Runs a step with a fresh context whose centre is `fn`, cancelled when `signal` aborts. */
async function executeStep<T>(
  step: Step,
  fn: (ctx: CallContext) => Promise<T> | T,
  signal: AbortSignal | undefined,
): Promise<T> {
  const ctx = new CallContext();
  ctx.innermostStep = fn;
  if (!signal) return step(ctx) as Promise<T>;
  const unlink = linkCallerSignal(ctx, signal);
  try {
    return (await step(ctx)) as T;
  } finally {
    unlink();
  }
}

/**
 * The shape every policy shares: built from its options and a PolicyEnv, reconfigured in place, and usable
 * alone through `execute` as well as inside a Pipeline.
 */
export abstract class PolicyBase<Options> implements ResiliencePolicy {
  constructor(
    protected options: Options,
    protected readonly env: PolicyEnv,
  ) {}

  /** New settings apply to the next call; state (breaker, buckets, queue, entries) is kept. */
  configure(options: Options): void {
    this.options = options;
  }

  abstract run<T>(next: (ctx: CallContext) => Promise<T>, ctx: CallContext): Promise<T>;

  /** Ask before building an event: a type nobody listens to then costs nothing. */
  protected wants(type: ResilienceEventType): boolean {
    return this.env.events.wants(type);
  }

  /** Emits one of the call's events, with the integration's name, the call's request id and the time. */
  protected emitForCall(ctx: CallContext, event: CallEvent): void {
    this.env.events.emit({ ...event, integration: this.env.name, requestId: ctx.requestId, at: this.env.clock.now() });
  }

  execute<T>(fn: (ctx: CallContext) => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    return executeStep((ctx) => this.run(callInnermost, ctx), fn, signal) as Promise<T>;
  }
}

/**
 * Policies composed outermost first, as cockatiel's `wrap()`. The chain of steps is built once here, so a
 * call allocates no closures for the composition itself.
 */
export class Pipeline implements ResiliencePolicy {
  private readonly entry: Step;

  constructor(readonly policies: readonly ResiliencePolicy[]) {
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
  execute<T>(fn: (ctx: CallContext) => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    return executeStep(this.entry, fn, signal);
  }
}

export function wrap(...policies: ResiliencePolicy[]): Pipeline {
  return new Pipeline(policies);
}
