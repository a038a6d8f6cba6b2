import type { CallContext } from './context.ts';
import { BulkheadRejectedError } from './errors.ts';
import type { Policy } from './options.ts';
import { PolicyBase } from './policy.ts';

interface Waiter {
  admit: () => void;
  reject: (error: Error) => void;
  timer: unknown;
}

/** Caps concurrent calls; excess calls wait in a bounded FIFO queue for at most `queueTimeoutMs`. */
export class Bulkhead extends PolicyBase<Policy['bulkhead']> {
  private active = 0;
  private readonly queue: Waiter[] = [];

  /** Raising the limit admits queued calls at once; lowering it lets running calls finish. */
  override configure(options: Policy['bulkhead']): void {
    super.configure(options);
    while (this.active < options.maxConcurrent && this.queue.length > 0) this.admitNext();
  }

  get activeCount(): number {
    return this.active;
  }

  get queueLength(): number {
    return this.queue.length;
  }

  async run<T>(next: (ctx: CallContext) => Promise<T>, ctx: CallContext): Promise<T> {
    if (this.active < this.options.maxConcurrent) this.active++;
    else await this.enqueue(ctx);
    let result: T;
    try {
      result = await next(ctx);
    } catch (error) {
      this.release();
      throw error;
    }
    // A streamed body keeps its connection busy: the slot is held until it ends, as Envoy counts it.
    if (ctx.openBody) ctx.openBody.onSettled(this.releaseSlot);
    else this.release();
    return result;
  }

  private readonly releaseSlot = () => this.release();

  private enqueue(ctx: CallContext): Promise<void> {
    if (this.queue.length >= this.options.maxQueue) {
      this.emitRejected(ctx, 'queue_full');
      return Promise.reject(new BulkheadRejectedError('queue_full'));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { admit: resolve, reject, timer: undefined };
      const leave = (error: Error) => {
        const index = this.queue.indexOf(waiter);
        if (index < 0) return;
        this.queue.splice(index, 1);
        this.env.clock.clearTimer(waiter.timer);
        reject(error);
      };
      waiter.timer = this.env.clock.setTimer(() => {
        this.emitRejected(ctx, 'queue_timeout');
        leave(new BulkheadRejectedError('queue_timeout'));
      }, this.options.queueTimeoutMs);
      const unsubscribe = ctx.onAbort(leave);
      waiter.admit = () => {
        unsubscribe();
        resolve();
      };
      this.queue.push(waiter);
      if (this.wants('bulkhead.queued')) {
        this.emitForCall(ctx, {
          type: 'bulkhead.queued',
          queueLength: this.queue.length,
        });
      }
    });
  }

  private release(): void {
    this.active--;
    if (this.queue.length > 0 && this.active < this.options.maxConcurrent) this.admitNext();
  }

  /** Hands the freed slot straight to the oldest waiter. */
  private admitNext(): void {
    const waiter = this.queue.shift() as Waiter;
    this.env.clock.clearTimer(waiter.timer);
    this.active++;
    waiter.admit();
  }

  private emitRejected(ctx: CallContext, reason: 'queue_full' | 'queue_timeout'): void {
    if (!this.wants('bulkhead.rejected')) return;
    this.emitForCall(ctx, {
      type: 'bulkhead.rejected',
      reason,
    });
  }
}
