import { HOUR_SECONDS } from '@/lib/db';
import type { AttemptKind, UsageOutcome } from '@/lib/model';
import type { AttemptInfo, CallSummary } from '@/lib/resilience';

/** UsageRollup's unique key (the upsert's conflict target on SQLite). */
export const USAGE_ROLLUP_KEY = [
  'bucketStart',
  'integrationId',
  'route',
  'outcomeClass',
  'caller',
  'attemptKind',
  'environment',
  'instance',
];

export interface UsageRow {
  bucketStart: Date;
  integrationId: string;
  route: string;
  outcomeClass: UsageOutcome;
  caller: string;
  attemptKind: AttemptKind;
  environment: string;
  attempts: number;
  dirty: boolean;
  /** when its writes started failing; cleared by a successful write */
  failingSince?: number;
}

/** The class of one attempt's answer: what an upstream bills by. */
export function attemptOutcome(attempt: AttemptInfo): UsageOutcome {
  const status = attempt.status;
  if (status === undefined) return 'server_error';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'client_error';
  return 'success';
}

/** Why the attempt was made: a hedge, a retry, or the call's first (a replay's first is the replay). */
export function attemptKind(attempt: AttemptInfo, replay: boolean): AttemptKind {
  if (attempt.hedged) return 'hedge';
  if (attempt.number > 1) return 'retry';
  return replay ? 'replay' : 'first';
}

/**
 * Billable attempts per hour, route, outcome class, caller and attempt kind, counted as calls end. A call
 * that made no attempt is counted once as `cached` (served from the cache) or `short_circuited` (breaker,
 * bulkhead or local limiter), so what they saved can be priced; a call cancelled before any attempt is not.
 */
export class UsageRollups {
  readonly rows = new Map<string, UsageRow>();

  count(integrationId: string, s: CallSummary, caller: string, environment: string, replay: boolean): void {
    const bucketMs = HOUR_SECONDS * 1000;
    const bucketStart = Math.floor(s.startedAt / bucketMs) * bucketMs;
    if (s.attempts.length === 0) {
      if (s.cache === 'hit' || s.cache === 'stale')
        this.add(bucketStart, integrationId, s.route, 'cached', caller, 'first', environment);
      else if (s.outcome !== 'cancelled')
        this.add(bucketStart, integrationId, s.route, 'short_circuited', caller, 'first', environment);
      return;
    }
    for (const attempt of s.attempts)
      this.add(
        bucketStart,
        integrationId,
        s.route,
        attemptOutcome(attempt),
        caller,
        attemptKind(attempt, replay),
        environment,
      );
  }

  private add(
    bucketStart: number,
    integrationId: string,
    route: string,
    outcomeClass: UsageOutcome,
    caller: string,
    attemptKind: AttemptKind,
    environment: string,
  ): void {
    const key = `${bucketStart}\u0000${integrationId}\u0000${route}\u0000${outcomeClass}\u0000${caller}\u0000${attemptKind}\u0000${environment}`;
    let row = this.rows.get(key);
    if (!row) {
      row = {
        bucketStart: new Date(bucketStart),
        integrationId,
        route,
        outcomeClass,
        caller,
        attemptKind,
        environment,
        attempts: 0,
        dirty: true,
      };
      this.rows.set(key, row);
    }
    row.attempts++;
    row.dirty = true;
  }

  /** A row this instance id stored before (a restart): added to what was counted since, written if that was anything. */
  addStored(
    row: Omit<UsageRow, 'dirty' | 'failingSince' | 'outcomeClass' | 'attemptKind'> & {
      outcomeClass: string;
      attemptKind: string;
    },
  ): void {
    const key = `${row.bucketStart.getTime()}\u0000${row.integrationId}\u0000${row.route}\u0000${row.outcomeClass}\u0000${row.caller}\u0000${row.attemptKind}\u0000${row.environment}`;
    const counted = this.rows.get(key);
    if (counted) {
      counted.attempts += row.attempts;
      counted.dirty = true;
    } else
      this.rows.set(key, {
        bucketStart: row.bucketStart,
        integrationId: row.integrationId,
        route: row.route,
        outcomeClass: row.outcomeClass as UsageOutcome,
        caller: row.caller,
        attemptKind: row.attemptKind as AttemptKind,
        environment: row.environment,
        attempts: row.attempts,
        dirty: false,
      });
  }

  /** Rows changed since they were last written, marked clean (a failed write marks them dirty again). */
  takeDirty(): [string, UsageRow][] {
    const dirty = [...this.rows].filter(([, r]) => r.dirty);
    for (const [, r] of dirty) r.dirty = false;
    return dirty;
  }

  /** Rows that could not be written are kept dirty for the next flush until giveUpMs, then forgotten. */
  keepUnwritten(unwritten: [string, UsageRow][], now: number, giveUpMs: number): void {
    for (const [key, r] of unwritten) {
      r.failingSince ??= now;
      if (now - r.failingSince < giveUpMs) r.dirty = true;
      else this.rows.delete(key);
    }
  }

  /** Hours two buckets old are final once written: forget them so memory stays bounded. */
  evictClosed(now: number): void {
    for (const [key, r] of this.rows)
      if (!r.dirty && r.bucketStart.getTime() < now - 2 * HOUR_SECONDS * 1000) this.rows.delete(key);
  }
}

/** A row as stored: absolute values with the owning instance, so writing it again never counts twice. */
export function usageRowOf(r: UsageRow, instance: string) {
  return {
    bucketStart: r.bucketStart,
    integrationId: r.integrationId,
    route: r.route,
    outcomeClass: r.outcomeClass,
    caller: r.caller,
    attemptKind: r.attemptKind,
    environment: r.environment,
    instance,
    attempts: r.attempts,
  };
}
