import type { Clock } from './clock.ts';
import { ResilienceError } from './errors.ts';

export interface AttemptAbortHandle {
  abort?: (reason: Error) => void;
}

/** Aborts the slower of two hedged attempts once the other has answered. */
export class HedgeLostError extends ResilienceError {
  constructor() {
    super('Another hedged attempt answered first', 'hedge_lost');
  }
}

function startHedge(arg: unknown): void {
  (arg as HedgedCall<unknown>).startSecond();
}

/**
 * One call's race between a first attempt and, if it has not answered after the delay, a second one. A
 * class rather than closures: it runs on every hedged call, and the timer callback takes it as argument.
 */
class HedgedCall<T> {
  private readonly first: AttemptAbortHandle = {};
  private second: AttemptAbortHandle | undefined;
  private running = 0;
  private settled = false;
  private readonly timer: unknown;

  constructor(
    private readonly attempt: (hedged: boolean, handle: AttemptAbortHandle) => Promise<T>,
    private readonly clock: Clock,
    private readonly onHedgeStarted: () => void,
    delayMs: number,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.timer = clock.setTimer(startHedge, delayMs, this);
    this.launch(false, this.first);
  }

  startSecond(): void {
    if (this.settled) return;
    this.second = {};
    this.onHedgeStarted();
    this.launch(true, this.second);
  }

  private launch(hedged: boolean, handle: AttemptAbortHandle): void {
    this.running++;
    this.attempt(hedged, handle).then(
      (value) => this.answered(handle, value),
      (error) => this.failed(error),
    );
  }

  private answered(handle: AttemptAbortHandle, value: T): void {
    this.running--;
    if (this.settled) return;
    this.settled = true;
    this.clock.clearTimer(this.timer);
    const loser = handle === this.first ? this.second : this.first;
    loser?.abort?.(new HedgeLostError());
    this.resolve(value);
  }

  /** A failure before the hedge started ends the race (retry decides); after, the other attempt may still win. */
  private failed(error: unknown): void {
    this.running--;
    if (this.settled || (this.second !== undefined && this.running > 0)) return;
    this.settled = true;
    this.clock.clearTimer(this.timer);
    this.reject(error);
  }
}

/**
 * Starts `attempt`, and a second one if the first has not answered after `delayMs`. The first answer
 * wins and the other attempt is aborted at the socket.
 */
export function hedge<T>(
  attempt: (hedged: boolean, handle: AttemptAbortHandle) => Promise<T>,
  delayMs: number,
  clock: Clock,
  onHedgeStarted: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    new HedgedCall(attempt, clock, onHedgeStarted, delayMs, resolve, reject);
  });
}
