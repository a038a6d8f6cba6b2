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

/**
 * Starts `attempt`, and a second one if the first has not answered after `delayMs`. The first answer
 * wins and the other attempt is aborted at the socket. A failure before the hedge starts is returned at
 * once (retry decides what next); after it, the call waits for the other attempt.
 */
export function hedge<T>(
  attempt: (hedged: boolean, handle: AttemptAbortHandle) => Promise<T>,
  delayMs: number,
  clock: Clock,
  onHedgeStarted: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const handles: AttemptAbortHandle[] = [];
    let running = 0;
    let hedgeStarted = false;
    let settled = false;

    const launch = (hedged: boolean) => {
      const handle: AttemptAbortHandle = {};
      handles.push(handle);
      running++;
      attempt(hedged, handle).then(
        (value) => {
          running--;
          if (settled) return;
          settled = true;
          clock.clearTimer(timer);
          for (const other of handles) if (other !== handle) other.abort?.(new HedgeLostError());
          resolve(value);
        },
        (error) => {
          running--;
          if (settled || (hedgeStarted && running > 0)) return;
          settled = true;
          clock.clearTimer(timer);
          reject(error);
        },
      );
    };

    const timer = clock.setTimer(() => {
      if (settled) return;
      hedgeStarted = true;
      onHedgeStarted();
      launch(true);
    }, delayMs);
    launch(false);
  });
}
