import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  addRollupCounters,
  type Db,
  emptyRollupCounters,
  HOUR_SECONDS,
  LatencyHistogram,
  MINUTE_SECONDS,
  type Prisma,
  type RollupCounters,
  type RollupKey,
  type RollupRow,
  type SqliteRow,
  type SqliteWrite,
  type SqliteWriterThread,
  sqliteWriterFor,
} from '@/lib/db';
import { type RedactionRules, redactBody, redactHeaders } from '@/lib/redaction';
import type { AttemptInfo, CallSummary } from '@/lib/resilience';
import { type JournalEntry, journalLine, parseJournalLine, TelemetryJournal } from './journal';
import { USAGE_ROLLUP_KEY, UsageRollups, type UsageRow, usageRowOf } from './usage-rollups';

const MAX_WRITE_TRIES = 3;
/** MetricRollup's unique key (the upsert's conflict target on SQLite) */
const ROLLUP_KEY = [
  'bucketStart',
  'bucketSeconds',
  'integrationId',
  'route',
  'outcomeClass',
  'instance',
  'environment',
];
/** Prisma errors that blame a row (foreign key, unique), not the database being unavailable. */
const ROW_FAULT_CODES = new Set(['P2003', 'P2002', 'P2025']);

/**
 * An attempt the upstream failed: no answer (network, timeout), a 5xx, or a 429 refusing it. An attempt
 * cancelled by the caller or by its winning hedge was not the upstream's failure.
 */
function isUpstreamFailure(attempt: AttemptInfo): boolean {
  if (attempt.status === undefined) return attempt.errorType !== 'cancelled' && attempt.errorType !== 'hedge_lost';
  return attempt.status >= 500 || attempt.status === 429;
}

function isRowFault(error: unknown): boolean {
  return ROW_FAULT_CODES.has((error as { code?: string } | undefined)?.code ?? '');
}

export interface RecorderOptions {
  /** rollup bucket width */
  bucketSeconds?: number;
  flushIntervalMs?: number;
  /** calls slower than this are always kept in the call log */
  slowCallMs?: number;
  /** successes kept in the call log per integration per second; the rest are only counted */
  successesKeptPerSecond?: number;
  /** bound on call-log rows waiting to be written; past it rows are dropped and counted */
  maxPendingCalls?: number;
  /** how long a rollup that cannot be written is retried before it is dropped (and counted) */
  rollupGiveUpMs?: number;
  /** also keep hourly rollups, written as the minute ones are (off only in tests of the minute path) */
  hourlyRollups?: boolean;
  instance?: string;
  /** where the write-ahead journal of rollup contributions lives (journal.ts); none when unset */
  journalDir?: string;
}

export interface CallDetail {
  redaction?: RedactionRules;
  requestBody?: string | Uint8Array;
  responseBody?: string | Uint8Array;
  replayOfId?: string;
  /** the integration's target the call went to (default production) */
  environment?: string;
  /** which credential served the call: primary | secondary | fresh_token (OAuth2, after a 401); none without a credential */
  credential?: string;
  /** who made the call, for usage and cost: the API token's id, or a label (replay, job, sync, batch, internal) */
  caller?: string;
}

/** A rollup row being counted: every call is counted in a minute row and in an hour row (HOUR_SECONDS). */
interface RollupState extends Omit<RollupKey, 'instance'>, RollupCounters {
  histogram: LatencyHistogram;
  /** the upstream's latency, one value per attempt sent */
  attemptHistogram: LatencyHistogram;
  dirty: boolean;
  /** when its writes started failing; cleared by a successful write */
  failingSince?: number;
}

/** What one write puts in one transaction. */
interface Batch {
  rollups?: RollupState[];
  usage?: UsageRow[];
  events?: Prisma.BreakerEventCreateManyInput[];
  calls?: PendingCall[];
  /** the journal segment the batch's rollups cover through (TelemetryCheckpoint) */
  checkpoint?: number;
}

interface PendingCall {
  row: Prisma.CallLogCreateManyInput;
  failures?: number;
  attempts: Prisma.CallAttemptCreateManyInput[];
}

export interface RecorderStats {
  recordedCalls: number;
  droppedCallLogRows: number;
  /** calls counted in rollups that could not be written */
  droppedRollups: number;
  droppedBreakerEvents: number;
  /** calls the journal could not take: still counted, but not safe from a SIGKILL before the next flush */
  droppedJournalLines: number;
  failedFlushes: number;
  pendingCalls: number;
  lastFlushError?: string;
}

/**
 * Turns finished calls into rollups (exact counts, mergeable latency histogram) and call-log rows, and
 * writes them in batches off the request path. Rollup rows are owned by one instance each, so a flush
 * writes absolute values and a retried flush can never double count.
 */
export class TelemetryRecorder {
  readonly instance: string;
  private readonly opts: Required<Omit<RecorderOptions, 'instance' | 'journalDir'>>;
  private readonly rollups = new Map<string, RollupState>();
  /** billable attempts per hour (UsageRollup), written with the rollups */
  private readonly usage = new UsageRollups();
  private pending: PendingCall[] = [];
  private pendingBreakerEvents: Prisma.BreakerEventCreateManyInput[] = [];
  private readonly keptThisSecond = new Map<string, { second: number; kept: number }>();
  private timer?: NodeJS.Timeout;
  /** after failed flushes the timer backs off, so a locked database is not hammered (nor the loop held) */
  private consecutiveFailures = 0;
  private nextFlushAt = 0;
  private flushing?: Promise<void>;
  private queuedFlush?: Promise<void>;
  /** SQLite: the worker thread that commits off the event loop; null on PostgreSQL (Prisma's async driver) */
  private readonly sqlite: SqliteWriterThread | null;
  private readonly journal?: TelemetryJournal;
  /** the last journal segment the stored rollups cover (TelemetryCheckpoint) */
  private checkpoint = 0;
  /**
   * Set once this instance's stored rollups (a restart under the same id) and its journal's unflushed
   * lines are folded into memory; no flush before, as a flush writes absolute values.
   */
  private recovered = false;
  private recovering?: Promise<void>;
  readonly stats: RecorderStats = {
    recordedCalls: 0,
    droppedCallLogRows: 0,
    droppedRollups: 0,
    droppedBreakerEvents: 0,
    droppedJournalLines: 0,
    failedFlushes: 0,
    pendingCalls: 0,
  };

  constructor(
    private readonly db: Db,
    options: RecorderOptions = {},
  ) {
    this.opts = {
      bucketSeconds: options.bucketSeconds ?? MINUTE_SECONDS,
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      slowCallMs: options.slowCallMs ?? 1000,
      successesKeptPerSecond: options.successesKeptPerSecond ?? 5,
      maxPendingCalls: options.maxPendingCalls ?? 10_000,
      rollupGiveUpMs: options.rollupGiveUpMs ?? 10 * 60_000,
      hourlyRollups: options.hourlyRollups ?? true,
    };
    this.instance = options.instance ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.sqlite = sqliteWriterFor(db);
    if (options.journalDir) this.journal = new TelemetryJournal(options.journalDir, this.instance);
  }

  start(): this {
    void this.recover().catch(() => undefined);
    this.timer ??= setInterval(() => {
      if (Date.now() >= this.nextFlushAt) void this.flush();
    }, this.opts.flushIntervalMs);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.recover().catch(() => undefined);
    await this.flush();
    this.journal?.close();
  }

  /**
   * Called on call.end, which the resilient client emits before the answer is handed to the gateway (a
   * streamed body: when it ends), so the journal line is written before the caller can have the answer.
   */
  record(integrationId: string, summary: CallSummary, detail: CallDetail = {}): void {
    this.stats.recordedCalls++;
    const environment = detail.environment ?? 'production';
    const caller = detail.caller ?? (detail.replayOfId ? 'replay' : 'internal');
    const secondary = detail.credential === 'secondary';
    const replay = detail.replayOfId !== undefined;
    if (this.journal) {
      try {
        this.journal.append(journalLine(integrationId, summary, { environment, secondary, caller, replay }));
      } catch {
        // a full disk must not fail the call: it is counted in memory as before, and this drop is visible
        this.stats.droppedJournalLines++;
      }
    }
    this.count({ integrationId, summary, environment, secondary, caller, replay });
    const reason = this.keepReason(integrationId, summary, detail);
    if (!reason) return;
    if (this.pending.length >= this.opts.maxPendingCalls) {
      this.stats.droppedCallLogRows++;
      return;
    }
    this.pending.push(this.callRow(integrationId, summary, detail, reason));
    this.stats.pendingCalls = this.pending.length;
  }

  /** Breaker transitions are kept as events, each one, so a short OPEN period is never missed. */
  recordBreakerTransition(integrationId: string, t: { from: string; to: string; reason?: string; at: number }): void {
    this.pendingBreakerEvents.push({
      integrationId,
      instance: this.instance,
      at: new Date(t.at),
      fromState: t.from,
      toState: t.to,
      reason: t.reason ?? null,
    });
  }

  /**
   * Writes everything recorded so far. A flush already under way may have taken its batch before the
   * caller's call ended, so a second one is queued behind it (and shared by everyone who asks meanwhile).
   */
  flush(): Promise<void> {
    if (!this.flushing) return this.startFlush();
    this.queuedFlush ??= this.flushing.then(() => {
      this.queuedFlush = undefined;
      return this.startFlush();
    });
    return this.queuedFlush;
  }

  private startFlush(): Promise<void> {
    const flushing = this.writeBatch().finally(() => {
      if (this.flushing === flushing) this.flushing = undefined;
    });
    this.flushing = flushing;
    return flushing;
  }

  /** A call's contribution to the rollups: what a journal line holds and what a replay adds again. */
  private count({ integrationId, summary: s, environment, secondary, caller, replay }: JournalEntry): void {
    this.addToBucket(this.opts.bucketSeconds, integrationId, s, environment, secondary);
    if (this.opts.hourlyRollups && this.opts.bucketSeconds < HOUR_SECONDS)
      this.addToBucket(HOUR_SECONDS, integrationId, s, environment, secondary);
    this.usage.count(integrationId, s, caller, environment, replay);
  }

  /**
   * Once, before the first flush (retried by later ones until it succeeds): folds into memory the rows this
   * instance id already stored (a restart under the same id: a flush writes absolute values, which would
   * otherwise overwrite them) and the journal's lines past the stored checkpoint (calls answered after the
   * last flush of a process that was killed). Calls recorded meanwhile are already in memory: both add.
   */
  private recover(): Promise<void> {
    if (this.recovered) return Promise.resolve();
    this.recovering ??= this.foldStored().finally(() => {
      this.recovering = undefined;
    });
    return this.recovering;
  }

  private async foldStored(): Promise<void> {
    const stored = await this.db.telemetryCheckpoint.findUnique({ where: { instance: this.instance } });
    this.checkpoint = stored?.segment ?? 0;
    const entries: JournalEntry[] = [];
    for (const line of this.journal?.linesAfter(this.checkpoint) ?? []) {
      const entry = parseJournalLine(line);
      if (entry) entries.push(entry);
    }
    // every bucket still open, and every bucket a journal line falls in
    const hourMs = HOUR_SECONDS * 1000;
    let since = Math.floor(Date.now() / hourMs) * hourMs - hourMs;
    for (const e of entries) since = Math.min(since, Math.floor(e.summary.startedAt / hourMs) * hourMs);
    const where = { instance: this.instance, bucketStart: { gte: new Date(since) } };
    const [rollups, usage] = await Promise.all([
      this.db.metricRollup.findMany({ where }),
      this.db.usageRollup.findMany({ where }),
    ]);
    for (const row of rollups) {
      const key = `${row.bucketSeconds}\u0000${row.bucketStart.getTime()}\u0000${row.integrationId}\u0000${row.route}\u0000${row.outcomeClass}\u0000${row.environment}`;
      const state = this.rollups.get(key);
      const histogram = LatencyHistogram.parse(row.latencyHist);
      const attemptHistogram = LatencyHistogram.parse(row.attemptHist);
      if (!state) {
        const { id: _id, instance: _instance, latencyHist: _l, attemptHist: _a, ...rest } = row;
        this.rollups.set(key, { ...rest, histogram, attemptHistogram, dirty: false });
        continue;
      }
      addRollupCounters(state, row);
      state.histogram.merge(histogram);
      state.attemptHistogram.merge(attemptHistogram);
      state.dirty = true;
    }
    for (const row of usage) this.usage.addStored(row);
    for (const entry of entries) this.count(entry);
    this.recovered = true;
    this.journal?.removeThrough(this.checkpoint);
  }

  private addToBucket(
    bucketSeconds: number,
    integrationId: string,
    s: CallSummary,
    environment: string,
    secondary: boolean,
  ): void {
    const bucketMs = bucketSeconds * 1000;
    const bucketStart = Math.floor(s.startedAt / bucketMs) * bucketMs;
    const key = `${bucketSeconds}\u0000${bucketStart}\u0000${integrationId}\u0000${s.route}\u0000${s.outcome}\u0000${environment}`;
    let state = this.rollups.get(key);
    if (!state) {
      state = {
        bucketStart: new Date(bucketStart),
        bucketSeconds,
        integrationId,
        route: s.route,
        outcomeClass: s.outcome,
        environment,
        ...emptyRollupCounters(),
        histogram: new LatencyHistogram(),
        attemptHistogram: new LatencyHistogram(),
        dirty: true,
      };
      this.rollups.set(key, state);
    }
    state.count++;
    state.retries += s.retries;
    if (s.cache === 'hit' || s.cache === 'stale') state.cacheHits++;
    else if (s.cache === 'miss') state.cacheMisses++;
    if (s.rateLimitWaitMs > 0) state.rateLimitWaits++;
    if (s.outcome === 'rate_limited') state.rateLimitRejections++;
    if (secondary) state.secondaryCredential++;
    state.latencySumMs += s.durationMs;
    state.latencyMaxMs = Math.max(state.latencyMaxMs, s.durationMs);
    state.histogram.record(s.durationMs);
    for (const attempt of s.attempts) {
      state.attempts++;
      if (isUpstreamFailure(attempt)) state.attemptErrors++;
      state.attemptHistogram.record(attempt.durationMs);
    }
    // Refused by the open breaker before any attempt: a retry cut short by it sent attempts, counted above.
    if (s.outcome === 'circuit_open' && s.attempts.length === 0) state.shortCircuits++;
    if (s.cache === 'stale') state.staleServed++;
    if (s.outcome === 'fallback') state.fallbacks++;
    if (s.breakerProbe) state.probes++;
    state.dirty = true;
  }

  private keepReason(integrationId: string, s: CallSummary, detail: CallDetail): string | null {
    if (detail.replayOfId) return 'replay';
    // every call the old key served is kept: the integration page shows the last one (rotation)
    if (detail.credential === 'secondary') return 'secondary_credential';
    // and every call an upstream refused an OAuth2 token for (resent with a fresh one)
    if (detail.credential === 'fresh_token') return 'fresh_token';
    if (s.outcome !== 'success') return s.outcome;
    if (s.durationMs >= this.opts.slowCallMs) return 'slow';
    if (s.rateLimited || s.rateLimitWaitMs > 0) return 'rate_limited';
    if (s.retries > 0) return 'retried';
    const second = Math.floor(s.startedAt / 1000);
    const window = this.keptThisSecond.get(integrationId);
    if (!window || window.second !== second) {
      this.keptThisSecond.set(integrationId, { second, kept: 1 });
      return 'sample';
    }
    if (window.kept >= this.opts.successesKeptPerSecond) return null;
    window.kept++;
    return 'sample';
  }

  private callRow(integrationId: string, s: CallSummary, detail: CallDetail, keptBecause: string): PendingCall {
    const rules = detail.redaction ?? {};
    const capture = rules.capture ?? 'redacted';
    const headersOf = (headers: Record<string, string> | undefined) =>
      JSON.stringify(capture === 'none' ? {} : redactHeaders(headers, rules));
    // A streamed body arrives as a bounded copy with its full length beside it.
    const bodyOf = (body: string | Uint8Array | undefined, fullLength: number | undefined) =>
      capture === 'redacted' ? redactBody(body, rules, undefined, fullLength) : null;
    // A caller's request id can repeat; the call's own id (callId) is the key, the request id is searchable.
    const id = s.callId ?? s.requestId;
    return {
      row: {
        id,
        requestId: s.requestId,
        integrationId,
        startedAt: new Date(s.startedAt),
        durationMs: s.durationMs,
        method: s.method,
        route: s.route,
        path: redactBody(s.path, rules, 2048) ?? '',
        status: s.status ?? null,
        outcome: s.outcome,
        errorType: s.errorType ?? null,
        attemptCount: s.attempts.length,
        upstreamRequestId: s.upstreamRequestId ?? null,
        traceId: s.trace.traceId,
        keptBecause,
        requestHeaders: headersOf(s.requestHeaders),
        responseHeaders: headersOf(s.responseHeaders),
        requestBody: bodyOf(detail.requestBody, s.requestBodyBytes),
        responseBody: bodyOf(detail.responseBody, s.responseBodyBytes),
        replayOfId: detail.replayOfId ?? null,
        environment: detail.environment ?? 'production',
        credential: detail.credential ?? null,
      },
      attempts: s.attempts.map((a) => ({
        callId: id,
        number: a.number,
        startedAt: new Date(a.startedAt),
        durationMs: a.durationMs,
        status: a.status ?? null,
        errorType: a.errorType ?? null,
        delayBeforeMs: a.delayBeforeMs,
        delayReason: a.delayReason ?? null,
      })),
    };
  }

  private async writeBatch(): Promise<void> {
    const failuresBefore = this.stats.failedFlushes;
    if (!this.recovered) {
      try {
        await this.recover();
      } catch (error) {
        this.noteFailure(error);
      }
    }
    // Every line up to `covered` is counted in the dirty rows this flush takes (record is synchronous).
    const covered = this.recovered ? (this.journal?.rotate() ?? 0) : 0;
    const together = this.recovered ? await this.writeTogether(covered) : 'unavailable';
    // When rollups (the part that must not be lost) cannot be written, the rest waits for the next round.
    if (together === 'row_fault' && (await this.writeRollups())) {
      await this.writeUsage();
      await this.writeBreakerEvents();
      await this.writeCalls();
      // written apart, each row or dropped: the checkpoint follows once nothing of the rollups is left
      if (this.stats.failedFlushes === failuresBefore && covered > this.checkpoint)
        await this.write({ checkpoint: covered }).then(
          () => this.checkpointed(covered),
          (error) => this.noteFailure(error),
        );
    }
    this.stats.pendingCalls = this.pending.length;
    this.evictClosedBuckets();
    this.usage.evictClosed(Date.now());
    if (this.stats.failedFlushes === failuresBefore) {
      this.consecutiveFailures = 0;
      this.nextFlushAt = 0;
    } else {
      this.consecutiveFailures++;
      const backoff = this.opts.flushIntervalMs * 2 ** Math.min(this.consecutiveFailures, 10);
      this.nextFlushAt = Date.now() + Math.min(backoff, 30_000);
    }
  }

  /**
   * The usual flush: every dirty rollup, breaker event and call-log row in one transaction, so one commit
   * (SQLite syncs the file at each commit, and better-sqlite3 does it on the event loop, stalling every
   * request). When a row is at fault nothing is written and the parts are then written apart (writeRollups
   * and the rest), which set the bad row aside; when the database looks unavailable everything waits for
   * the next flush, which is not hammered (one write per flush).
   */
  private async writeTogether(covered: number): Promise<'written' | 'row_fault' | 'unavailable'> {
    const dirty = [...this.rollups].filter(([, r]) => r.dirty);
    const events = this.pendingBreakerEvents;
    const calls = this.pending;
    const usage = this.usage.takeDirty();
    const checkpoint = covered > this.checkpoint ? covered : undefined;
    if (dirty.length === 0 && usage.length === 0 && events.length === 0 && calls.length === 0 && !checkpoint)
      return 'written';
    for (const [, r] of dirty) r.dirty = false;
    this.pendingBreakerEvents = [];
    this.pending = [];
    try {
      await this.write({
        rollups: dirty.map(([, r]) => r),
        usage: usage.map(([, r]) => r),
        events,
        calls,
        checkpoint,
      });
      for (const [, r] of dirty) r.failingSince = undefined;
      for (const [, r] of usage) r.failingSince = undefined;
      if (checkpoint) this.checkpointed(checkpoint);
      return 'written';
    } catch (error) {
      // Rolled back: put everything back (calls recorded meanwhile stay behind the older ones).
      this.pendingBreakerEvents = [...events, ...this.pendingBreakerEvents];
      this.pending = [...calls, ...this.pending];
      if (isRowFault(error)) {
        for (const [, r] of dirty) r.dirty = true;
        for (const [, r] of usage) r.dirty = true;
        return 'row_fault';
      }
      this.noteFailure(error);
      this.keepUnwrittenRollups(dirty, Date.now());
      this.usage.keepUnwritten(usage, Date.now(), this.opts.rollupGiveUpMs);
      return 'unavailable';
    }
  }

  /** The stored rollups cover the journal up to `segment`: its older segments are no longer needed. */
  private checkpointed(segment: number): void {
    this.checkpoint = segment;
    try {
      this.journal?.removeThrough(segment);
    } catch (error) {
      // left behind, the segments are removed after the next flush (replay skips them: they are checkpointed)
      this.noteFailure(error);
    }
  }

  /** Rollups a flush could not write are kept dirty for the next one, until rollupGiveUpMs (then dropped). */
  private keepUnwrittenRollups(unwritten: [string, RollupState][], now: number): void {
    for (const [key, r] of unwritten) {
      r.failingSince ??= now;
      if (now - r.failingSince < this.opts.rollupGiveUpMs) r.dirty = true;
      else this.dropRollup(key, r);
    }
  }

  /** Writes dirty rollups; false when the database looks unavailable. */
  private async writeRollups(): Promise<boolean> {
    const dirty = [...this.rollups].filter(([, r]) => r.dirty);
    if (dirty.length === 0) return true;
    for (const [, r] of dirty) r.dirty = false;
    let failure: unknown;
    try {
      await this.write({ rollups: dirty.map(([, r]) => r) });
      for (const [, r] of dirty) r.failingSince = undefined;
      return true;
    } catch (error) {
      failure = error;
    }
    // Rollups hold absolute values, so a later flush simply rewrites them: nothing is lost while the
    // database is locked or down (a locked or unreachable database gets one write per flush, no more:
    // SQLite waits are synchronous). When a row is at fault, the rows are written one by one so it does not
    // hold back the others; a row whose integration was deleted is dropped at once and counted, and a row
    // failing otherwise is given up after rollupGiveUpMs, and counted.
    const rowFault = isRowFault(failure);
    if (!rowFault) this.noteFailure(failure);
    const now = Date.now();
    for (const [key, r] of dirty) {
      if (rowFault) {
        try {
          await this.write({ rollups: [r] });
          r.failingSince = undefined;
          continue;
        } catch (error) {
          if (isRowFault(error)) {
            this.dropRollup(key, r);
            continue;
          }
          this.noteFailure(error);
        }
      }
      r.failingSince ??= now;
      if (now - r.failingSince < this.opts.rollupGiveUpMs) r.dirty = true;
      else this.dropRollup(key, r);
    }
    return rowFault;
  }

  /** Forgets a rollup that will never be written; a later call starts a new one, so nothing is counted twice. */
  private dropRollup(key: string, r: RollupState): void {
    this.rollups.delete(key);
    if (r.bucketSeconds === this.opts.bucketSeconds) this.stats.droppedRollups += r.count;
  }

  /** After a row fault: usage rows one by one, a row whose integration was deleted dropped, the rest kept. */
  private async writeUsage(): Promise<void> {
    const unwritten: [string, UsageRow][] = [];
    for (const entry of this.usage.takeDirty()) {
      try {
        await this.write({ usage: [entry[1]] });
        entry[1].failingSince = undefined;
      } catch (error) {
        if (isRowFault(error)) this.usage.rows.delete(entry[0]);
        else {
          this.noteFailure(error);
          unwritten.push(entry);
        }
      }
    }
    this.usage.keepUnwritten(unwritten, Date.now(), this.opts.rollupGiveUpMs);
  }

  private async writeBreakerEvents(): Promise<void> {
    const events = this.pendingBreakerEvents;
    if (events.length === 0) return;
    this.pendingBreakerEvents = [];
    let unwritten = events;
    try {
      await this.write({ events });
      return;
    } catch (error) {
      if (isRowFault(error))
        unwritten = await this.writeEach(
          events,
          (event) => this.write({ events: [event] }),
          () => {
            this.stats.droppedBreakerEvents++;
          },
        );
      else this.noteFailure(error);
    }
    // Transitions are rare; keep them for the next flush unless the buffer is absurdly long.
    const kept = [...unwritten, ...this.pendingBreakerEvents];
    this.stats.droppedBreakerEvents += Math.max(0, kept.length - 1000);
    this.pendingBreakerEvents = kept.slice(-1000);
  }

  private async writeCalls(): Promise<void> {
    const calls = this.pending;
    if (calls.length === 0) return;
    this.pending = [];
    let unwritten = calls;
    try {
      await this.write({ calls });
      return;
    } catch (error) {
      // One bad row (its integration deleted meanwhile) must not cost the batch: the rows are written one by
      // one and only the bad one is dropped, counted. Anything else is the database: the batch waits.
      if (isRowFault(error))
        unwritten = await this.writeEach(
          calls,
          (call) => this.write({ calls: [call] }),
          () => {
            this.stats.droppedCallLogRows++;
          },
        );
      else this.noteFailure(error);
    }
    // Put what is left back within the bound; a row that failed before is dropped (and counted) so the
    // log cannot be blocked forever.
    for (const c of unwritten) c.failures = (c.failures ?? 0) + 1;
    const retry = unwritten.filter((c) => c.failures! < MAX_WRITE_TRIES);
    const room = Math.max(0, this.opts.maxPendingCalls - this.pending.length);
    const kept = retry.slice(0, room);
    this.stats.droppedCallLogRows += unwritten.length - kept.length;
    this.pending = [...kept, ...this.pending];
  }

  /**
   * Writes a batch in one transaction. On SQLite the worker thread commits it (better-sqlite3 is synchronous:
   * on the main thread every statement and the commit's sync would hold every request); the promise resolves
   * once it is committed. On PostgreSQL, Prisma's batch transaction (an async driver).
   */
  private write({ rollups = [], usage = [], events = [], calls = [], checkpoint }: Batch): Promise<unknown> {
    const checkpointRow =
      checkpoint === undefined ? undefined : { instance: this.instance, segment: checkpoint, updatedAt: new Date() };
    if (this.sqlite) {
      const writes: SqliteWrite[] = [];
      if (rollups.length > 0)
        writes.push({
          upsert: 'MetricRollup',
          conflict: ROLLUP_KEY,
          rows: rollups.map((r) => ({ ...this.rollupRow(r) })),
        });
      if (usage.length > 0)
        writes.push({
          upsert: 'UsageRollup',
          conflict: USAGE_ROLLUP_KEY,
          rows: usage.map((r) => usageRowOf(r, this.instance)),
        });
      if (events.length > 0) writes.push({ insert: 'BreakerEvent', rows: events as SqliteRow[] });
      if (calls.length > 0) {
        writes.push({ insert: 'CallLog', rows: calls.map((c) => c.row as SqliteRow) });
        const attempts = calls.flatMap((c) => c.attempts);
        if (attempts.length > 0) writes.push({ insert: 'CallAttempt', rows: attempts as SqliteRow[] });
      }
      if (checkpointRow) writes.push({ upsert: 'TelemetryCheckpoint', conflict: ['instance'], rows: [checkpointRow] });
      return this.sqlite.write(writes);
    }
    const writes: Prisma.PrismaPromise<unknown>[] = rollups.map((r) => this.upsertRollup(r));
    for (const r of usage) writes.push(this.upsertUsage(r));
    if (events.length > 0) writes.push(this.db.breakerEvent.createMany({ data: events }));
    if (calls.length > 0)
      writes.push(
        this.db.callLog.createMany({ data: calls.map((c) => c.row) }),
        this.db.callAttempt.createMany({ data: calls.flatMap((c) => c.attempts) }),
      );
    if (checkpointRow)
      writes.push(
        this.db.telemetryCheckpoint.upsert({
          where: { instance: this.instance },
          create: checkpointRow,
          update: { segment: checkpointRow.segment, updatedAt: checkpointRow.updatedAt },
        }),
      );
    return this.db.$transaction(writes);
  }

  /**
   * Writes items one at a time after a batch failed on a bad row: a row at fault is given to `drop`,
   * the rest are written; returns those that failed for another reason (the database), to retry later.
   */
  private async writeEach<T>(items: T[], write: (item: T) => Promise<unknown>, drop: (item: T) => void): Promise<T[]> {
    const unwritten: T[] = [];
    for (const item of items) {
      try {
        await write(item);
      } catch (error) {
        if (isRowFault(error)) drop(item);
        else {
          this.noteFailure(error);
          unwritten.push(item);
        }
      }
    }
    return unwritten;
  }

  /** A rollup row with its key: absolute values, so writing it again never counts twice. */
  private rollupRow(r: RollupState): RollupRow {
    return {
      bucketStart: r.bucketStart,
      bucketSeconds: r.bucketSeconds,
      integrationId: r.integrationId,
      route: r.route,
      outcomeClass: r.outcomeClass,
      instance: this.instance,
      environment: r.environment,
      count: r.count,
      retries: r.retries,
      cacheHits: r.cacheHits,
      cacheMisses: r.cacheMisses,
      rateLimitWaits: r.rateLimitWaits,
      rateLimitRejections: r.rateLimitRejections,
      latencySumMs: r.latencySumMs,
      latencyMaxMs: r.latencyMaxMs,
      secondaryCredential: r.secondaryCredential,
      attempts: r.attempts,
      attemptErrors: r.attemptErrors,
      shortCircuits: r.shortCircuits,
      staleServed: r.staleServed,
      fallbacks: r.fallbacks,
      probes: r.probes,
      latencyHist: JSON.stringify(r.histogram),
      attemptHist: JSON.stringify(r.attemptHistogram),
    };
  }

  private upsertRollup(r: RollupState) {
    const { bucketStart, bucketSeconds, integrationId, route, outcomeClass, instance, environment, ...values } =
      this.rollupRow(r);
    const key: RollupKey = { bucketStart, bucketSeconds, integrationId, route, outcomeClass, instance, environment };
    return this.db.metricRollup.upsert({
      where: { bucketStart_bucketSeconds_integrationId_route_outcomeClass_instance_environment: key },
      create: { ...key, ...values },
      update: values,
    });
  }

  private upsertUsage(r: UsageRow) {
    const { attempts, ...key } = usageRowOf(r, this.instance);
    return this.db.usageRollup.upsert({
      where: { bucketStart_integrationId_route_outcomeClass_caller_attemptKind_environment_instance: key },
      create: { ...key, attempts },
      update: { attempts },
    });
  }

  private noteFailure(error: unknown): void {
    this.stats.failedFlushes++;
    this.stats.lastFlushError = error instanceof Error ? error.message.trim().split('\n').pop() : String(error);
  }

  /** Buckets two widths old are final once written; forget them so memory stays bounded. */
  private evictClosedBuckets(): void {
    const now = Date.now();
    for (const [key, r] of this.rollups)
      if (!r.dirty && r.bucketStart.getTime() < now - 2 * r.bucketSeconds * 1000) this.rollups.delete(key);
  }
}
