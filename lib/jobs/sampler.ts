import type { Db } from '@/lib/db';
import { log } from '@/lib/logging';
import { queueSnapshot } from '@/lib/queries';

const DAY_MS = 86_400_000;

export interface SamplerOptions {
  intervalMs: number;
  /** samples older than this are deleted */
  retentionDays: number;
  /** how often old samples are deleted */
  pruneEveryMs: number;
}

/** BREAKWATER_QUEUE_SAMPLE_MS (15 s) and BREAKWATER_RETENTION_QUEUE_SAMPLE_DAYS (7), as telemetry reads its own. */
export function samplerOptionsFromEnv(env: Record<string, string | undefined> = process.env): SamplerOptions {
  const read = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return env[name] !== undefined && env[name] !== '' && value > 0 ? value : fallback;
  };
  return {
    intervalMs: read('BREAKWATER_QUEUE_SAMPLE_MS', 15_000),
    retentionDays: read('BREAKWATER_RETENTION_QUEUE_SAMPLE_DAYS', 7),
    pruneEveryMs: 10 * 60_000,
  };
}

/**
 * Writes the queue's depth, dead letters and oldest ages as QueueSample rows: one for all integrations
 * (integrationId null) and one per integration with waiting or dead jobs; an integration without a row at
 * a sampled instant had none (queueSeries reads it as zero). Stats are read live from the Job table; the
 * samples exist to chart them over time.
 */
export class QueueSampler {
  private timer?: NodeJS.Timeout;
  private busy = false;
  private lastPrunedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly options: SamplerOptions = samplerOptionsFromEnv(),
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
    void this.tick();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.sample();
      if (Date.now() - this.lastPrunedAt >= this.options.pruneEveryMs) {
        await this.prune();
        this.lastPrunedAt = Date.now();
      }
    } catch (error) {
      log.warn({ err: error }, 'queue sample not written; the next one is on schedule');
    } finally {
      this.busy = false;
    }
  }

  /** One sample of every series, all at the same instant. */
  async sample(now = new Date()): Promise<number> {
    const snapshot = await queueSnapshot(this.db, now);
    const row = (integrationId: string | null, stats: typeof snapshot.all) => ({
      at: now,
      integrationId,
      depth: stats.depth,
      oldestQueuedAgeSeconds: stats.oldestQueuedAgeSeconds,
      deadLetters: stats.deadLetters,
      oldestDeadAgeSeconds: stats.oldestDeadLetterAgeSeconds,
    });
    const rows = [row(null, snapshot.all)];
    for (const [id, { stats }] of snapshot.byIntegration)
      if (stats.depth > 0 || stats.deadLetters > 0) rows.push(row(id, stats));
    await this.db.queueSample.createMany({ data: rows });
    return rows.length;
  }

  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.options.retentionDays * DAY_MS);
    return (await this.db.queueSample.deleteMany({ where: { at: { lt: cutoff } } })).count;
  }
}
