import type { Db } from '@/lib/db';
import { log } from '@/lib/logging';
import { emptyQueueStats, queueSnapshot } from '@/lib/queries';
import { setting } from '@/lib/server/env';

export interface SamplerOptions {
  intervalMs: number;
}

/** BREAKWATER_QUEUE_SAMPLE_MS (15 s) and BREAKWATER_RETENTION_QUEUE_SAMPLE_DAYS (7), as telemetry reads its own. */
export function samplerOptionsFromEnv(): SamplerOptions {
  return {
    intervalMs: setting('BREAKWATER_QUEUE_SAMPLE_MS'),
  };
}

/**
 * Writes the queue's depth, dead letters and oldest ages as QueueSample rows: one for all integrations
 * (integrationId null) and one per integration with waiting or dead jobs; an integration without a row at
 * a sampled instant had none (queueSeries reads it as zero). Stats are read live from the Job table; the
 * samples exist to chart them over time; old ones are deleted by `pruneQueueSamples` (retention.ts).
 */
export class QueueSampler {
  private timer?: NodeJS.Timeout;
  private busy = false;

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
    } catch (error) {
      log.warn({ err: error }, 'queue sample not written; the next one is on schedule');
    } finally {
      this.busy = false;
    }
  }

  /** One sample of every series, all at the same instant. */
  async sample(now = new Date()): Promise<number> {
    const [snapshot, workspaces] = await Promise.all([
      queueSnapshot(this.db, now),
      this.db.workspace.findMany({ select: { id: true } }),
    ]);
    const row = (workspaceId: string | null, integrationId: string | null, stats: typeof snapshot.all) => ({
      at: now,
      workspaceId,
      integrationId,
      depth: stats.depth,
      oldestQueuedAgeSeconds: stats.oldestQueuedAgeSeconds,
      deadLetters: stats.deadLetters,
      oldestDeadAgeSeconds: stats.oldestDeadLetterAgeSeconds,
    });
    const rows = [row(null, null, snapshot.all)];
    // Every workspace gets its clock row, even an empty one: its charts read a sampled instant without jobs as zero.
    for (const { id } of workspaces) rows.push(row(id, null, snapshot.byWorkspace.get(id) ?? emptyQueueStats()));
    for (const [id, { workspaceId, stats }] of snapshot.byIntegration)
      if (stats.depth > 0 || stats.deadLetters > 0) rows.push(row(workspaceId, id, stats));
    await this.db.queueSample.createMany({ data: rows });
    return rows.length;
  }
}
