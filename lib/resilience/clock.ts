/** Time source for every policy; tests swap in FakeClock so nothing waits on real time. */
export interface Clock {
  /** Epoch milliseconds, sub-millisecond precision. */
  now(): number;
  setTimer(callback: (arg: unknown) => void, ms: number, arg?: unknown): unknown;
  clearTimer(handle: unknown): void;
}

const origin = performance.timeOrigin;

export const systemClock: Clock = {
  now: () => origin + performance.now(),
  setTimer(callback, ms, arg) {
    const timer = setTimeout(callback, ms, arg);
    // A pending retry delay or deadline must not keep a process alive on its own.
    timer.unref();
    return timer;
  },
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
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

/** Resolves after `ms`, or rejects with `abortReason()` as soon as `onAbort` fires. */
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
