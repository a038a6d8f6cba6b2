/** Time source for every policy; tests swap in FakeClock so nothing waits on real time. */
export interface Clock {
  /** Epoch milliseconds, sub-millisecond precision. */
  now(): number;
  setTimer(callback: (arg: unknown) => void, ms: number, arg?: unknown): unknown;
  clearTimer(handle: unknown): void;
}

const origin = performance.timeOrigin;
const now = () => origin + performance.now();

class CoarseTimer {
  previous: CoarseTimer | undefined;
  next: CoarseTimer | undefined;

  constructor(
    readonly at: number,
    readonly callback: (arg: unknown) => void,
    readonly arg: unknown,
  ) {}
}

/**
 * Deadlines of a second or more (the overall and attempt timeouts, long retry delays) are almost always
 * cancelled before they fire, yet a Node timer costs about a microsecond to arm and clear. They share one
 * 50 ms sweep over an intrusive linked list instead (O(1) add and delete, no hashing); a callback fires
 * at or up to one sweep after its time, never before.
 */
class CoarseTimers {
  private head: CoarseTimer | undefined;
  private tail: CoarseTimer | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  add(callback: (arg: unknown) => void, ms: number, arg: unknown): CoarseTimer {
    const timer = new CoarseTimer(now() + ms, callback, arg);
    if (this.tail) {
      this.tail.next = timer;
      timer.previous = this.tail;
    } else this.head = timer;
    this.tail = timer;
    // Referenced, like any pending timer: a call waiting out a retry delay keeps the process alive.
    this.sweeper ??= setInterval(() => this.sweep(), coarseResolutionMs);
    return timer;
  }

  delete(timer: CoarseTimer): void {
    if (timer.previous === undefined && this.head !== timer) return;
    if (timer.previous) timer.previous.next = timer.next;
    else this.head = timer.next;
    if (timer.next) timer.next.previous = timer.previous;
    else this.tail = timer.previous;
    timer.previous = undefined;
    timer.next = undefined;
  }

  private sweep(): void {
    const current = now();
    let timer = this.head;
    while (timer) {
      const next = timer.next;
      if (timer.at <= current) {
        this.delete(timer);
        timer.callback(timer.arg);
      }
      timer = next;
    }
    if (!this.head) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}

const coarseResolutionMs = 50;
const coarseFromMs = 1000;
const coarseTimers = new CoarseTimers();

export const systemClock: Clock = {
  now,
  setTimer(callback, ms, arg) {
    return ms >= coarseFromMs ? coarseTimers.add(callback, ms, arg) : setTimeout(callback, ms, arg);
  },
  clearTimer(handle) {
    if (handle instanceof CoarseTimer) coarseTimers.delete(handle);
    else clearTimeout(handle as NodeJS.Timeout);
  },
};

interface FakeTimer {
  at: number;
  seq: number;
  callback: (arg: unknown) => void;
  arg: unknown;
}

/** Manual clock: `advance(ms)` fires due timers in order and lets promise chains settle between them. */
export class FakeClock implements Clock {
  private timers: FakeTimer[] = [];
  private seq = 0;

  constructor(private current = 1_700_000_000_000) {}

  now(): number {
    return this.current;
  }

  setTimer(callback: (arg: unknown) => void, ms: number, arg?: unknown): unknown {
    const timer = { at: this.current + Math.max(0, ms), seq: this.seq++, callback, arg };
    this.timers.push(timer);
    return timer;
  }

  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await flushMicrotasks();
    for (;;) {
      const next = this.timers.reduce<FakeTimer | undefined>(
        (first, t) =>
          t.at <= target && (!first || t.at < first.at || (t.at === first.at && t.seq < first.seq)) ? t : first,
        undefined,
      );
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = next.at;
      next.callback(next.arg);
      await flushMicrotasks();
    }
    this.current = target;
    await flushMicrotasks();
  }
}

function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves after `ms`, or rejects with the abort reason as soon as the call is aborted. */
export function sleep(clock: Clock, ms: number, abortable?: AbortHooks): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const reason = abortable?.abortReason;
    if (reason) return reject(reason);
    let unsubscribe: (() => void) | undefined;
    const timer = clock.setTimer(() => {
      unsubscribe?.();
      resolve();
    }, ms);
    unsubscribe = abortable?.onAbort((error) => {
      clock.clearTimer(timer);
      reject(error);
    });
  });
}

export interface AbortHooks {
  readonly abortReason: Error | undefined;
  onAbort(listener: (reason: Error) => void): () => void;
}
