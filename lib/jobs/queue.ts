import { randomUUID } from 'node:crypto';
import type { Db } from '@/lib/db';
import type { Integration } from '@/lib/integrations';
import { decodeCursor, encodeCursor } from '@/lib/queries';
import { redactHeaders, redactText } from '@/lib/redaction';
import { jobConfig } from './config';
import type { JobInput } from './schema';
import { idempotencyHeader, withHeader } from './send';
import { announceTransitions, TRANSITION_SELECT } from './transitions';

export interface AttemptRecord {
  number: number;
  at: string;
  durationMs: number;
  status?: number;
  error?: string;
  callId: string;
}

type JobRow = NonNullable<Awaited<ReturnType<Db['job']['findUnique']>>>;

/**
 * What the API shows of a job: everything needed to understand and replay it, never a secret (the
 * integration's key is injected at send time; a credential header the caller put in the job is redacted).
 */
export function jobView(job: JobRow) {
  return {
    id: job.id,
    integration: job.integrationSlug,
    state: job.state,
    priority: job.priority,
    request: {
      method: job.method,
      path: job.path,
      headers: redactHeaders(JSON.parse(job.headers) as Record<string, string>),
      body: job.body === null ? null : redactText(job.body),
    },
    idempotencyKey: job.idempotencyKey,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    nextAttemptAt: job.state === 'queued' ? job.runAt : null,
    lastError: job.lastError,
    result: job.lastStatus === null ? null : { status: job.lastStatus, body: job.resultBody },
    lastCallId: job.lastCallId,
    attemptLog: JSON.parse(job.attemptLog) as AttemptRecord[],
    source: job.source,
    completionWebhook: job.completionUrl
      ? { url: job.completionUrl, secretEnv: job.completionSecretEnv, status: job.completionStatus }
      : null,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}
export type JobView = ReturnType<typeof jobView>;

/**
 * The row of a new job, as `enqueueJob` stores it; for callers that write many jobs at once (createMany) in
 * their own transaction. Every job carries an idempotency key (the caller's, or one generated now), sent
 * on every attempt, so an attempt repeated after a crash is recognisable upstream as the same one.
 */
export function jobRecord(integration: Integration, input: JobInput, source = 'api') {
  const idempotencyKey = input.idempotencyKey ?? randomUUID();
  let headers = withHeader(input.headers, idempotencyHeader(integration), idempotencyKey);
  if (input.body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
    headers = withHeader(headers, 'content-type', looksLikeJson(input.body) ? 'application/json' : 'text/plain');
  return {
    id: randomUUID(),
    // the integration's workspace: the job is seen, replayed and counted there only
    workspaceId: integration.workspaceId,
    integrationId: integration.id,
    integrationSlug: integration.slug,
    priority: input.priority,
    method: input.method,
    path: input.path,
    headers: JSON.stringify(headers),
    body: input.body ?? null,
    idempotencyKey,
    maxAttempts: input.maxAttempts ?? jobConfig().backoffMs.length + 1,
    runAt: new Date(),
    source,
    completionUrl: input.completionWebhook?.url ?? null,
    completionSecretEnv: input.completionWebhook?.secretEnv ?? null,
  };
}
export type JobRecord = ReturnType<typeof jobRecord>;

/** Stores a job for the worker (see jobRecord). */
export async function enqueueJob(db: Pick<Db, 'job'>, integration: Integration, input: JobInput, source = 'api') {
  return db.job.create({ data: jobRecord(integration, input, source) });
}

function looksLikeJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/** The job, when it is the workspace's (another workspace's is null: a 404). */
export async function findJob(db: Db, workspaceId: string, id: string) {
  const job = await db.job.findFirst({ where: { id, workspaceId } });
  return job ? jobView(job) : null;
}

/** The workspace's jobs, newest first, a page at a time: `nextCursor` (null on the last page) asks for older ones. */
export async function listJobs(
  db: Db,
  workspaceId: string,
  filter: { state?: string; integration?: string; limit?: number; cursor?: string },
) {
  const limit = Math.min(filter.limit ?? 50, 500);
  const after = filter.cursor ? decodeCursor(filter.cursor) : null;
  const rows = await db.job.findMany({
    where: {
      workspaceId,
      ...(filter.state && { state: filter.state }),
      ...(filter.integration && { integrationSlug: filter.integration }),
      ...(after && { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] }),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { jobs: page.map(jobView), nextCursor: rows.length > limit ? encodeCursor(last.createdAt, last.id) : null };
}

export async function listDeadLetters(
  db: Db,
  workspaceId: string,
  filter: { integration?: string; q?: string; limit?: number },
) {
  const jobs = await db.job.findMany({
    where: {
      workspaceId,
      state: 'dead',
      ...(filter.integration && { integrationSlug: filter.integration }),
      ...(filter.q && { OR: [{ path: { contains: filter.q } }, { lastError: { contains: filter.q } }] }),
    },
    orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }],
    take: Math.min(filter.limit ?? 100, 500),
  });
  return jobs.map(jobView);
}

/**
 * Puts dead letters back in the queue with fresh attempts and the SAME idempotency key: a replay of work
 * that may have had an effect must not have it twice.
 */
export async function replayDeadLetters(db: Db, workspaceId: string, ids: string[]): Promise<number> {
  return changeDeadLetters(db, workspaceId, ids, {
    state: 'queued',
    attempts: 0,
    runAt: new Date(),
    claimedAt: null,
    leaseUntil: null,
    finishedAt: null,
  });
}

export async function discardDeadLetters(db: Db, workspaceId: string, ids: string[]): Promise<number> {
  return changeDeadLetters(db, workspaceId, ids, { state: 'discarded' });
}

/** Moves dead letters on, then tells their sources' listeners (a row that was already there is no change to them). */
async function changeDeadLetters(
  db: Db,
  workspaceId: string,
  ids: string[],
  data: { state: string } & Record<string, unknown>,
) {
  // Only the workspace's: an id of another workspace's dead letter changes nothing (and is not counted).
  const { count } = await db.job.updateMany({ where: { id: { in: ids }, workspaceId, state: 'dead' }, data });
  if (count > 0)
    await announceTransitions(
      db,
      await db.job.findMany({ where: { id: { in: ids }, workspaceId, state: data.state }, select: TRANSITION_SELECT }),
    );
  return count;
}

/** Ids of the dead letters matching a filter, for bulk replay or discard. */
export async function deadLetterIds(
  db: Db,
  workspaceId: string,
  filter: { integration?: string; q?: string; ids?: string[] },
) {
  if (filter.ids) return filter.ids;
  return (await listDeadLetters(db, workspaceId, { ...filter, limit: 500 })).map((job) => job.id);
}
