import { log } from '@/lib/logging';

export interface ClaimLoopConfig {
  /** how many claimed items may run at once in this process */
  concurrency: number;
  /** how long to wait before looking again when nothing was due */
  pollMs: number;
  /** how long a claim holds before another instance may take it over (its holder died) */
  leaseMs: number;
}

/**
 * The loop that durable background work shares (jobs, bulk replay runs, polling syncs): look for due rows,
 * claim what the free concurrency allows, run the claims without waiting for them, look again at once
 * when one ends or something was claimed, otherwise after the poll interval. The database decides who
 * holds what, so any number of instances can run the same loop. A worker extends it with its claim and run.
 */
export abstract class ClaimLoop<T> {
  private running = 0;
  private timer?: NodeJS.Timeout;
  private looking = false;
  private stopped = false;
  /** claiming fails (the database is down): warned once, the recovery logged once, not every poll */
  private failing = false;

  /**
   * @param name what the loop is, for its log lines ("job worker", "sync runner")
   * @param config read on every look, so tests and operators can change it through the environment
   */
  protected constructor(
    private readonly name: string,
    private readonly config: () => ClaimLoopConfig,
  ) {}

  /** Claims up to `max` due items with a lease (an optimistic update), returning those this process won. */
  protected abstract claim(max: number, leaseMs: number): Promise<T[]>;

  protected abstract run(item: T, leaseMs: number): Promise<void>;

  start(): this {
    this.lookIn(0);
    return this;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Looks for due work now (something was just enqueued or asked to run), not at the next poll. */
  wake(): void {
    this.lookIn(0);
  }

  private lookIn(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.look(), ms);
    this.timer.unref();
  }

  private async look(): Promise<void> {
    if (this.looking) return;
    this.looking = true;
    const config = this.config();
    let claims: T[] = [];
    try {
      const free = config.concurrency - this.running;
      if (free > 0) claims = await this.claim(free, config.leaseMs);
      if (this.failing) {
        this.failing = false;
        log.info(`${this.name} claims work again`);
      }
    } catch (error) {
      if (!this.failing) {
        this.failing = true;
        log.warn({ err: error }, `${this.name} could not claim work; trying again every poll until it can`);
      }
    }
    for (const item of claims) {
      this.running++;
      void this.run(item, config.leaseMs)
        .catch((error) => log.warn({ err: error }, `${this.name} could not record an outcome`))
        .finally(() => {
          this.running--;
          this.lookIn(0);
        });
    }
    this.looking = false;
    this.lookIn(claims.length > 0 ? 0 : config.pollMs);
  }
}
