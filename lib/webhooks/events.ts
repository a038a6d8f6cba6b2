import { randomUUID } from 'node:crypto';
import { type Db, type SqliteBulkTransaction, sqliteGuardedUpdates } from '@/lib/db';
import { findIntegration } from '@/lib/integrations';
import { enqueueJob, findJob, type JobTransition, onJobTransition, TRANSITION_SELECT } from '@/lib/jobs';
import { log } from '@/lib/logging';
import { DomainError } from '@/lib/model';
import { decodeCursor, encodeCursor } from '@/lib/queries';
import { redactText } from '@/lib/redaction';
import { setting } from '@/lib/server/env';
import { processSingleton } from '@/lib/server/singleton';
import { countOutcome } from './counts';
import { forwardJobInput } from './receive';
import type { BulkEventReplayInput, EventFilter, EventState } from './schema';
import { fromRow } from './sources';

/**
 * Events whose forward job may still change without anyone telling them. A failed event's job only moves
 * when a person replays or discards its dead letter, which announces it, and a replayed job announces each
 * attempt; so failed events (kept until retention) are not read by every catch-up pass.
 */
const IN_PROGRESS: EventState[] = ['received', 'forwarding'];
const CHUNK = 500;

/** The event's state, read from its forward job (the worker owns the job; the event only points at it). */
export function stateOfJob(
  job: Pick<JobTransition, 'state' | 'attempts'> | null | undefined,
  stored: string,
): EventState {
  if (!job) return stored as EventState;
  if (job.state === 'done') return 'forwarded';
  if (job.state === 'dead' || job.state === 'discarded') return 'failed';
  return job.state === 'running' || job.attempts > 0 ? 'forwarding' : 'received';
}

interface TrackedEvent {
  id: string;
  sourceId: string;
  state: string;
  jobId: string | null;
}

const TRACKED = { id: true, sourceId: true, state: true, jobId: true } as const;

/**
 * Brings events in line with their forward jobs' states and counts each new forwarded/failed in the minute
 * its job finished. Guarded updates make concurrent passes (the worker's announcement and a catch-up, several
 * instances) count a transition once. A failed event whose dead letter is replayed becomes received again.
 */
async function mirror(db: Db, events: TrackedEvent[], jobs: JobTransition[]): Promise<void> {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const changes: { event: TrackedEvent; job: JobTransition; next: EventState }[] = [];
  for (const event of events) {
    const job = event.jobId ? byId.get(event.jobId) : undefined;
    const next = stateOfJob(job, event.state);
    if (job && next !== event.state) changes.push({ event, job, next });
  }
  if (changes.length === 0) return;
  const updates = changes.map(({ event, job, next }) => ({
    where: { id: event.id, state: event.state, jobId: event.jobId },
    data: {
      state: next,
      ...(next === 'forwarded' && { forwardedAt: job.finishedAt, lastError: null }),
      ...(next === 'failed' && { lastError: job.lastError }),
    },
  }));
  // One transaction for all of them (one commit per announcement, not one per event).
  const applied =
    (await sqliteGuardedUpdates(db, 'WebhookEvent', updates)) ??
    (await db.$transaction(updates.map((update) => db.webhookEvent.updateMany(update)))).map(
      ({ count }) => count === 1,
    );
  changes.forEach(({ event, job, next }, i) => {
    if (applied[i] && (next === 'forwarded' || next === 'failed'))
      countOutcome(db, event.sourceId, next, job.finishedAt ?? new Date());
  });
}

/** The job worker (or a dead-letter replay or discard) announces each change of a forward job's state. */
async function followForwardJobs(db: Db, jobs: JobTransition[]): Promise<void> {
  const events = await db.webhookEvent.findMany({
    where: { jobId: { in: jobs.map((job) => job.id) } },
    select: TRACKED,
  });
  await mirror(db, events, jobs);
}

/**
 * SQLite: the same as followForwardJobs inside the transaction that records the jobs' outcomes (one commit
 * for both): each event of a job moved to the job's state unless it is there already, which also makes a
 * transition counted once; the counts are added once that transaction committed.
 */
function followForwardJobsInSqlite(db: Db, tx: SqliteBulkTransaction, jobs: JobTransition[]): () => void {
  const counted: { sourceId: string; state: 'forwarded' | 'failed'; at: Date }[] = [];
  for (const job of jobs) {
    const next = stateOfJob(job, 'received');
    const rows =
      next === 'forwarded'
        ? tx.all<{ sourceId: string }>(
            'UPDATE "WebhookEvent" SET "state" = ?, "forwardedAt" = ?, "lastError" = NULL WHERE "jobId" = ? AND "state" <> ? RETURNING "sourceId"',
            next,
            job.finishedAt,
            job.id,
            next,
          )
        : next === 'failed'
          ? tx.all<{ sourceId: string }>(
              'UPDATE "WebhookEvent" SET "state" = ?, "lastError" = ? WHERE "jobId" = ? AND "state" <> ? RETURNING "sourceId"',
              next,
              job.lastError,
              job.id,
              next,
            )
          : tx.all<{ sourceId: string }>(
              'UPDATE "WebhookEvent" SET "state" = ? WHERE "jobId" = ? AND "state" <> ? RETURNING "sourceId"',
              next,
              job.id,
              next,
            );
    if (next === 'forwarded' || next === 'failed')
      for (const { sourceId } of rows) counted.push({ sourceId, state: next, at: job.finishedAt ?? new Date() });
  }
  return () => {
    for (const { sourceId, state, at } of counted) countOutcome(db, sourceId, state, at);
  };
}

/**
 * Catches up with changes no listener heard: a crash between a job's write and its event's, or a listener
 * that failed. Reads the jobs of the events still in progress, at start and then rarely, never per request.
 */
async function catchUp(db: Db): Promise<void> {
  const events = await db.webhookEvent.findMany({
    where: { state: { in: IN_PROGRESS }, jobId: { not: null } },
    select: TRACKED,
  });
  for (let i = 0; i < events.length; i += CHUNK) {
    const chunk = events.slice(i, i + CHUNK);
    const jobs = await db.job.findMany({
      where: { id: { in: chunk.map((event) => event.jobId!) } },
      select: TRANSITION_SELECT,
    });
    await mirror(db, chunk, jobs);
  }
}

/**
 * Follows forward jobs from their announcements: the listener is registered before this returns (so call
 * it before the job worker starts, and no change is missed). Catches up once now (the promise settles when
 * that pass is done) and then every BREAKWATER_WEBHOOK_CATCHUP_MS (5 min).
 */
export function startForwardTracking(db: Db): Promise<void> {
  const tracking = processSingleton('webhook-tracking', () => ({ started: false }));
  if (tracking.started) return Promise.resolve();
  tracking.started = true;
  onJobTransition('webhook', followForwardJobs, followForwardJobsInSqlite);
  const pass = () =>
    catchUp(db).catch((error) => log.warn({ err: error }, 'webhook state catch-up failed; trying again later'));
  setInterval(pass, setting('BREAKWATER_WEBHOOK_CATCHUP_MS')).unref();
  return pass();
}

function storedDelivery(event: { headers: string; body: Uint8Array }) {
  return {
    headers: new Headers(JSON.parse(event.headers) as Record<string, string>),
    text: Buffer.from(event.body).toString('utf8'),
  };
}

export interface EventQuery extends EventFilter {
  cursor?: string;
  limit?: number;
}

export const MAX_EVENTS_PAGE = 200;

/** The explorer's filter as a query, shared by the list and the bulk replay. */
function whereFilter(workspaceId: string, filter: EventFilter) {
  return {
    source: { workspaceId, ...(filter.source && { slug: filter.source }) },
    ...(filter.state && { state: filter.state }),
    ...((filter.from || filter.to) && {
      receivedAt: { ...(filter.from && { gte: filter.from }), ...(filter.to && { lte: filter.to }) },
    }),
    ...(filter.q && {
      OR: [{ id: filter.q }, { dedupKey: { contains: filter.q } }, { headers: { contains: filter.q } }],
    }),
  };
}

/** Newest first, keyset-paginated on (receivedAt, id). */
export async function listEvents(db: Db, workspaceId: string, filter: EventQuery) {
  const after = filter.cursor ? decodeCursor(filter.cursor) : null;
  const limit = Math.min(filter.limit ?? 50, MAX_EVENTS_PAGE);
  const rows = await db.webhookEvent.findMany({
    where: {
      ...whereFilter(workspaceId, filter),
      ...(after && {
        AND: [{ OR: [{ receivedAt: { lt: after.at } }, { receivedAt: after.at, id: { lt: after.id } }] }],
      }),
    },
    select: {
      id: true,
      dedupKey: true,
      receivedAt: true,
      state: true,
      jobId: true,
      duplicates: true,
      lastError: true,
      forwardedAt: true,
      source: { select: { slug: true, name: true } },
    },
    orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    events: page.map((row) => ({ ...row, state: row.state as EventState })),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].receivedAt, page[page.length - 1].id) : null,
  };
}
export type EventPage = Awaited<ReturnType<typeof listEvents>>;

/** One of the workspace's events as received (credentials redacted from headers and body) with its forward job. */
export async function eventDetail(db: Db, workspaceId: string, id: string) {
  const event = await db.webhookEvent.findFirst({ where: { id, source: { workspaceId } }, include: { source: true } });
  if (!event) return null;
  const job = event.jobId ? await findJob(db, workspaceId, event.jobId) : null;
  const { headers, text } = storedDelivery(event);
  return {
    id: event.id,
    source: { slug: event.source.slug, name: event.source.name, integration: event.source.integrationSlug },
    dedupKey: event.dedupKey,
    receivedAt: event.receivedAt,
    state: stateOfJob(job, event.state),
    duplicates: event.duplicates,
    forwardedAt: event.forwardedAt,
    lastError: job?.lastError ?? event.lastError,
    headers: Object.fromEntries(headers),
    // Shown with credential and card fields redacted by name; stored as received, since that is what is forwarded.
    body: redactText(text),
    sizeBytes: event.body.byteLength,
    job: job && {
      id: job.id,
      state: job.state,
      attempts: job.attempts,
      maxAttempts: job.maxAttempts,
      idempotencyKey: job.idempotencyKey,
      nextAttemptAt: job.nextAttemptAt,
      lastStatus: job.result?.status ?? null,
      lastError: job.lastError,
      finishedAt: job.finishedAt,
    },
  };
}

/** A replay that cannot be made now: its forward is still in flight, or its destination is gone. */
export class ReplayConflictError extends DomainError {
  constructor(
    message: string,
    readonly reason: 'in_flight' | 'no_destination',
  ) {
    super(message, 409, 'replay_conflict');
  }
}

/**
 * Sends a stored event to its source's current destination again with a new forward job. Like a Svix or
 * Hookdeck resend it is the same event: same event id and, by default, the same idempotency key, so an
 * application that already processed it is not made to do it twice; `idempotency: "new"` forces it.
 */
export async function replayEvent(db: Db, workspaceId: string, id: string, idempotency: 'reuse' | 'new') {
  const event = await db.webhookEvent.findFirst({ where: { id, source: { workspaceId } }, include: { source: true } });
  if (!event) return null;
  const current = event.jobId ? await db.job.findUnique({ where: { id: event.jobId }, select: { state: true } }) : null;
  if (current && (current.state === 'queued' || current.state === 'running'))
    throw new ReplayConflictError(`the event's forward job ${event.jobId} is still ${current.state}`, 'in_flight');
  const source = fromRow(event.source);
  const integration = await findIntegration(db, event.source.workspaceId, source.integration);
  if (!integration)
    throw new ReplayConflictError(
      `the source's integration "${source.integration}" no longer exists`,
      'no_destination',
    );
  const key = idempotency === 'reuse' ? event.dedupKey : randomUUID();
  const job = await enqueueJob(
    db,
    integration,
    forwardJobInput(source, integration, storedDelivery(event), event.id, key),
    'webhook',
  );
  await db.webhookEvent.update({ where: { id }, data: { jobId: job.id, state: 'received', lastError: null } });
  return { eventId: id, jobId: job.id, idempotencyKey: job.idempotencyKey };
}

/**
 * Replays every event the explorer's filter matches (the newest `limit`), oldest first so the application
 * sees them in the order they came, as Svix's "recover failed messages" and Hookdeck's bulk retry do. An
 * event whose forward is still in flight is skipped, not queued twice. The dry run counts without queuing.
 */
export async function replayMatchingEvents(db: Db, workspaceId: string, input: BulkEventReplayInput) {
  const rows = await db.webhookEvent.findMany({
    where: whereFilter(workspaceId, input.filter),
    select: { id: true, jobId: true },
    orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
    take: input.limit + 1,
  });
  const more = rows.length > input.limit;
  const chosen = rows.slice(0, input.limit).reverse();
  if (input.dryRun) {
    const inFlight = await forwardsInFlight(db, chosen);
    return { dryRun: true as const, matched: chosen.length, more, inFlight, replayable: chosen.length - inFlight };
  }
  // replayEvent refuses an event whose forward is in flight: that refusal is the count, not a second read.
  const counts = { matched: chosen.length, more, replayed: 0, inFlight: 0, noDestination: 0 };
  for (const row of chosen) {
    try {
      if (await replayEvent(db, workspaceId, row.id, input.idempotency)) counts.replayed++;
    } catch (error) {
      if (!(error instanceof ReplayConflictError)) throw error;
      counts[error.reason === 'in_flight' ? 'inFlight' : 'noDestination']++;
    }
  }
  return { dryRun: false as const, ...counts };
}

/** How many of the events have a forward job still queued or running (what a replay would skip). */
async function forwardsInFlight(db: Db, events: { jobId: string | null }[]): Promise<number> {
  const jobIds = events.flatMap((event) => (event.jobId ? [event.jobId] : []));
  let inFlight = 0;
  for (let i = 0; i < jobIds.length; i += CHUNK)
    inFlight += await db.job.count({
      where: { id: { in: jobIds.slice(i, i + CHUNK) }, state: { in: ['queued', 'running'] } },
    });
  return inFlight;
}
