import { randomUUID } from 'node:crypto';
import { type Db, getDb } from '@/lib/db';
import { findIntegration, redactionOf, UnsafePathError } from '@/lib/integrations';
import { redactBody, redactText } from '@/lib/redaction';
import { setting } from '@/lib/server/env';
import { processSingleton } from '@/lib/server/singleton';
import { startReplayRunner } from './bulk-replay';
import { ClaimLoop } from './claim-loop';
import { completionSecret, sendCompletionWebhook } from './completion';
import { backoffAfter, jobConfig } from './config';
import { type AttemptRecord, jobView } from './queue';
import { QueueSampler } from './sampler';
import { sendStored } from './send';
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
  constructor(private readonly db: Db) {
    super('job worker', jobConfig);
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
    const claimed: JobRow[] = [];
    const expired: (JobTransition & { source: string })[] = [];
    for (const job of candidates) {
      const guard = { id: job.id, state: job.state, attempts: job.attempts };
      if (job.state === 'running' && job.attempts >= job.maxAttempts) {
        // Its worker died during the last attempt: whether the call had an effect is unknown, so it is
        // dead-lettered for a person to look at (a replay reuses the key).
        const lastError = 'the worker running the last attempt stopped before it finished (lease expired)';
        const { count } = await this.db.job.updateMany({
          where: guard,
          data: { state: 'dead', finishedAt: now, lastError },
        });
        if (count === 1) expired.push({ ...guard, source: job.source, state: 'dead', finishedAt: now, lastError });
        continue;
      }
      const attempts = job.attempts + 1;
      const { count } = await this.db.job.updateMany({
        where: guard,
        data: { state: 'running', attempts, claimedAt: now, leaseUntil: new Date(now.getTime() + leaseMs) },
      });
      if (count === 1) claimed.push({ ...job, state: 'running', attempts });
    }
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
    const { count } = await this.db.job.updateMany({
      where: guard,
      data: {
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
    });
    if (count !== 1) return;
    await announceTransitions(this.db, [
      { id: job.id, source: job.source, state: outcome.state, attempts: job.attempts, finishedAt, lastError },
    ]);
    if (finished && job.completionUrl) await this.notify(job.id);
  }

  private async attempt(job: JobRow, callId: string): Promise<Outcome> {
    const integration = await findIntegration(this.db, job.workspaceId, job.integrationSlug);
    if (!integration || integration.id !== job.integrationId)
      return { state: 'dead', error: `integration "${job.integrationSlug}" no longer exists` };
    try {
      const response = await sendStored(
        integration,
        { method: job.method, path: job.path, headers: JSON.parse(job.headers), body: job.body },
        callId,
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
