import { randomUUID } from 'node:crypto';
import { type Db, getDb } from '@/lib/db';
import { findIntegration, integrationOfId, redactionOf, UnsafePathError } from '@/lib/integrations';
import { redactBody, redactText } from '@/lib/redaction';
import { setting } from '@/lib/server/env';
import { processSingleton } from '@/lib/server/singleton';
import { startReplayRunner } from './bulk-replay';
import { ClaimLoop } from './claim-loop';
import { completionSecret, sendCompletionWebhook } from './completion';
import { backoffAfter, jobConfig } from './config';
import { FinishBatcher, updateJobs } from './job-updates';
import { type AttemptRecord, jobView } from './queue';
import { QueueSampler } from './sampler';
import { JOB_CALLER, sendStored } from './send';
import { announceTransitions, type JobTransition } from './transitions';

type JobRow = NonNullable<Awaited<ReturnType<Db['job']['findUnique']>>>;

const RESULT_BODY_CAP = 4096;
/** Client errors that a later attempt can fix; any other 4xx means the request itself is wrong. */
const RETRYABLE_CLIENT_STATUSES = new Set([408, 409, 425, 429]);

interface Outcome {
  state: 'done' | 'dead' | 'queued';
  status?: number;
  error?: string;
  body?: string;
}

/**
 * Claims due jobs (and jobs whose lease expired: their worker died) with an optimistic update, so two
 * instances never run the same attempt; runs them through the integration's resilient client; renews
 * the lease while a call is in flight; and records the outcome only if it still holds the claim.
 */
export class JobWorker extends ClaimLoop<JobRow> {
  /** outcomes are written together, a tick's worth per transaction */
  private readonly finishes: FinishBatcher;

  constructor(private readonly db: Db) {
    super('job worker', jobConfig);
    this.finishes = new FinishBatcher(db);
  }

  protected async claim(max: number, leaseMs: number): Promise<JobRow[]> {
    const now = new Date();
    const candidates = await this.db.job.findMany({
      where: {
        OR: [
          { state: 'queued', runAt: { lte: now } },
          { state: 'running', leaseUntil: { lt: now } },
        ],
      },
      orderBy: [{ priority: 'desc' }, { runAt: 'asc' }],
      take: max,
    });
    // Its worker died during the last attempt: whether the call had an effect is unknown, so it is
    // dead-lettered for a person to look at (a replay reuses the key).
    const lastError = 'the worker running the last attempt stopped before it finished (lease expired)';
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const expires = (job: JobRow) => job.state === 'running' && job.attempts >= job.maxAttempts;
    // Every claim (and every expiry) in one transaction, each guarded by the state and attempt read.
    const applied = await updateJobs(
      this.db,
      candidates.map((job) => ({
        guard: { id: job.id, state: job.state, attempts: job.attempts },
        data: expires(job)
          ? { state: 'dead', finishedAt: now, lastError }
          : { state: 'running', attempts: job.attempts + 1, claimedAt: now, leaseUntil },
      })),
    );
    const claimed: JobRow[] = [];
    const expired: (JobTransition & { source: string })[] = [];
    candidates.forEach((job, i) => {
      if (!applied[i]) return;
      if (expires(job))
        expired.push({
          id: job.id,
          source: job.source,
          state: 'dead',
          attempts: job.attempts,
          finishedAt: now,
          lastError,
        });
      else claimed.push({ ...job, state: 'running', attempts: job.attempts + 1, claimedAt: now, leaseUntil });
    });
    await announceTransitions(this.db, expired);
    return claimed;
  }

  protected async run(job: JobRow, leaseMs: number): Promise<void> {
    const guard = { id: job.id, state: 'running', attempts: job.attempts };
    const renew = setInterval(() => {
      void this.db.job
        .updateMany({ where: guard, data: { leaseUntil: new Date(Date.now() + leaseMs) } })
        .catch(() => undefined);
    }, leaseMs / 3);
    renew.unref();
    const callId = randomUUID();
    const startedAt = Date.now();
    let outcome: Outcome;
    try {
      outcome = await this.attempt(job, callId);
    } catch (error) {
      outcome = { state: 'queued', error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearInterval(renew);
    }
    if (outcome.state === 'queued' && job.attempts >= job.maxAttempts) outcome.state = 'dead';
    const record: AttemptRecord = {
      number: job.attempts,
      at: new Date(startedAt).toISOString(),
      durationMs: Date.now() - startedAt,
      callId,
      ...(outcome.status !== undefined && { status: outcome.status }),
      ...(outcome.error && { error: outcome.error }),
    };
    const log_ = [...(JSON.parse(job.attemptLog) as AttemptRecord[]), record].slice(-50);
    const finished = outcome.state !== 'queued';
    const finishedAt = finished ? new Date() : null;
    const lastError = outcome.error ?? null;
    const applied = await this.finishes.record(
      guard,
      {
        state: outcome.state,
        lastStatus: outcome.status ?? null,
        lastError,
        resultBody: outcome.body ?? null,
        lastCallId: callId,
        attemptLog: JSON.stringify(log_),
        leaseUntil: null,
        finishedAt,
        runAt: finished ? job.runAt : new Date(Date.now() + backoffAfter(job.attempts, jobConfig().backoffMs)),
      },
      { id: job.id, source: job.source, state: outcome.state, attempts: job.attempts, finishedAt, lastError },
    );
    if (!applied) return;
    if (finished && job.completionUrl) await this.notify(job.id);
  }

  private async attempt(job: JobRow, callId: string): Promise<Outcome> {
    const integration = await this.integrationOf(job);
    if (!integration || integration.id !== job.integrationId)
      return { state: 'dead', error: `integration "${job.integrationSlug}" no longer exists` };
    try {
      const response = await sendStored(
        integration,
        { method: job.method, path: job.path, headers: JSON.parse(job.headers), body: job.body },
        callId,
        undefined,
        JOB_CALLER,
      );
      // Stored and shown: redacted like the call log (an upstream may echo the credential back).
      const body = redactBody(response.body, redactionOf(integration), RESULT_BODY_CAP) ?? '';
      if (response.status < 400) return { state: 'done', status: response.status, body };
      const retryable = response.status >= 500 || RETRYABLE_CLIENT_STATUSES.has(response.status);
      return {
        state: retryable ? 'queued' : 'dead',
        status: response.status,
        body,
        error: `upstream answered ${response.status}`,
      };
    } catch (error) {
      if (error instanceof UnsafePathError) return { state: 'dead', error: error.message };
      const status = (error as { status?: number }).status;
      return {
        state: 'queued',
        ...(typeof status === 'number' && { status }),
        error: redactText(
          error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          redactionOf(integration),
        ),
      };
    }
  }

  /**
   * The job's integration as the gateway serves it, from memory (no database read per attempt); read from
   * the database when memory has none or another one under that slug (not loaded here, or just replaced).
   */
  private async integrationOf(job: JobRow) {
    const cached = integrationOfId(job.integrationId);
    if (cached) return cached;
    return findIntegration(this.db, job.workspaceId, job.integrationSlug);
  }

  /** The completion webhook, signed like alert notifications (Standard Webhooks). */
  private async notify(id: string): Promise<void> {
    const job = await this.db.job.findUnique({ where: { id } });
    if (!job?.completionUrl) return;
    const secret = await completionSecret(this.db, job.completionSecretEnv, job.completionUrl);
    let status: string;
    if ('refused' in secret) status = `not sent: ${secret.refused}`;
    else {
      const body = JSON.stringify({
        type: job.state === 'done' ? 'job.completed' : 'job.dead_lettered',
        timestamp: new Date().toISOString(),
        data: jobView(job),
      });
      status = await sendCompletionWebhook(job.completionUrl, secret.value, `msg_${job.id}`, body);
    }
    await this.db.job.update({ where: { id }, data: { completionStatus: status } }).catch(() => undefined);
  }
}

/**
 * Starts the process's job worker, queue sampler and bulk replay runner once (BREAKWATER_JOB_WORKER=off
 * leaves this instance out of all three: the instances that run jobs chart them and run replays).
 */
export function startJobWorker(): void {
  if (setting('BREAKWATER_JOB_WORKER') === 'off') return;
  processSingleton('job-worker', () => new JobWorker(getDb()).start());
  processSingleton('queue-sampler', () => new QueueSampler(getDb()).start());
  startReplayRunner(getDb());
}
