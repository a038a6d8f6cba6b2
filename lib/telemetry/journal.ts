import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AttemptInfo, CallOutcome, CallSummary } from '@/lib/resilience';

/**
 * What `record` adds to the rollups for one call, as one journal line: enough to count the call again
 * (MetricRollup and UsageRollup), nothing of the call log. Compact array, not the summary.
 */
export interface JournalEntry {
  integrationId: string;
  /** the parts of the summary the rollups read */
  summary: CallSummary;
  environment: string;
  secondary: boolean;
  caller: string;
  replay: boolean;
}

const FIELDS_PER_ATTEMPT = 5;

/** One line (newline-terminated) for a call; a flat JSON array so it is cheap to write and to parse. */
export function journalLine(integrationId: string, s: CallSummary, e: Omit<JournalEntry, 'integrationId' | 'summary'>) {
  const attempts: (number | string)[] = [];
  for (const a of s.attempts)
    attempts.push(a.durationMs, a.status ?? -1, a.errorType ?? '', a.hedged ? 1 : 0, a.number);
  return `${JSON.stringify([
    integrationId,
    s.startedAt,
    s.route,
    s.outcome,
    e.environment,
    e.secondary ? 1 : 0,
    s.retries,
    s.cache ?? '',
    s.rateLimitWaitMs,
    s.durationMs,
    s.breakerProbe ? 1 : 0,
    e.caller,
    e.replay ? 1 : 0,
    attempts,
  ])}\n`;
}

/** The entry of a line, or undefined for a line cut short by the kill (the call was never answered). */
export function parseJournalLine(line: string): JournalEntry | undefined {
  let f: unknown[];
  try {
    f = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(f) || f.length !== 14) return undefined;
  const flat = f[13] as (number | string)[];
  const attempts: AttemptInfo[] = [];
  for (let i = 0; i < flat.length; i += FIELDS_PER_ATTEMPT) {
    const status = flat[i + 1] as number;
    const errorType = flat[i + 2] as string;
    attempts.push({
      durationMs: flat[i] as number,
      ...(status >= 0 ? { status } : {}),
      ...(errorType ? { errorType } : {}),
      hedged: flat[i + 3] === 1,
      number: flat[i + 4] as number,
    } as AttemptInfo);
  }
  const summary = {
    startedAt: f[1] as number,
    route: f[2] as string,
    outcome: f[3] as CallOutcome,
    retries: f[6] as number,
    cache: (f[7] as string) || undefined,
    rateLimitWaitMs: f[8] as number,
    durationMs: f[9] as number,
    breakerProbe: f[10] === 1,
    attempts,
  } as CallSummary;
  return {
    integrationId: f[0] as string,
    summary,
    environment: f[4] as string,
    secondary: f[5] === 1,
    caller: f[11] as string,
    replay: f[12] === 1,
  };
}

/**
 * A per-instance write-ahead journal of the rollups' contributions, in numbered segments
 * (`<instance>.<n>.journal`). Each call's line is appended with one synchronous write to an O_APPEND fd
 * before its answer can reach the caller: once write() returns, the line is in the kernel's page cache and
 * survives SIGKILL of the process (not a machine crash or power loss: there is no fsync per call). A flush
 * rotates to a new segment and stores the number of the last segment it covers with the rollups (same
 * transaction); segments up to that checkpoint are then deleted, and at start-up the ones past it are
 * replayed. One process per instance id at a time.
 */
export class TelemetryJournal {
  private fd: number;
  private segment: number;
  private bytes = 0;
  private readonly prefix: string;

  constructor(
    private readonly dir: string,
    instance: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.prefix = `${encodeURIComponent(instance)}.`;
    // a new segment past every one left by an earlier process: those are replayed, never appended to
    this.segment = Math.max(0, ...this.segments()) + 1;
    this.fd = this.openSegment(this.segment);
  }

  /** Appends one line; throws if the disk refuses it (the caller decides what a call without it costs). */
  append(line: string): void {
    this.bytes += writeSync(this.fd, line);
  }

  /**
   * Starts a new segment and returns the last one whose lines are all counted in memory now: what a flush
   * that took every dirty rollup covers. An empty current segment is kept (no rotation per idle flush).
   */
  rotate(): number {
    if (this.bytes === 0) return this.segment - 1;
    closeSync(this.fd);
    const covered = this.segment;
    this.segment++;
    this.fd = this.openSegment(this.segment);
    this.bytes = 0;
    return covered;
  }

  /** Lines of the segments written by earlier processes past `checkpoint`, oldest first. */
  linesAfter(checkpoint: number): string[] {
    const lines: string[] = [];
    for (const n of this.segments().sort((a, b) => a - b)) {
      if (n <= checkpoint || n >= this.segment) continue;
      for (const line of readFileSync(this.path(n), 'utf8').split('\n')) if (line) lines.push(line);
    }
    return lines;
  }

  /** Deletes the segments counted in the stored rollups (up to and including `checkpoint`). */
  removeThrough(checkpoint: number): void {
    for (const n of this.segments()) if (n <= checkpoint && n < this.segment) unlinkSync(this.path(n));
  }

  /** At a clean stop, after the last flush: the current segment goes too when nothing was written to it. */
  close(): void {
    closeSync(this.fd);
    if (this.bytes === 0) unlinkSync(this.path(this.segment));
  }

  private segments(): number[] {
    const numbers: number[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.startsWith(this.prefix) || !name.endsWith('.journal')) continue;
      const n = Number(name.slice(this.prefix.length, -'.journal'.length));
      if (Number.isInteger(n) && n > 0) numbers.push(n);
    }
    return numbers;
  }

  private path(n: number): string {
    return join(this.dir, `${this.prefix}${n}.journal`);
  }

  private openSegment(n: number): number {
    return openSync(this.path(n), 'a');
  }
}
