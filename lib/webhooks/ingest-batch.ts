import { type Db, type SqliteBulkTransaction, sqliteBulkWriterFor } from '@/lib/db';
import type { JobRecord } from '@/lib/jobs';
import { log } from '@/lib/logging';
import { setting } from '@/lib/server/env';
import { processSingleton } from '@/lib/server/singleton';
import { countOutcome } from './counts';

/** A verified delivery ready to be stored: its event row and its forward job's row, linked by `job.id`. */
export interface AcceptedDelivery {
  sourceId: string;
  dedupKey: string;
  event: { id: string; headers: string; body: Uint8Array<ArrayBuffer>; receivedAt: Date };
  job: JobRecord;
}

/** Where a delivery ended up: its own new event, or the stored event it repeats (null if that vanished). */
export interface StoredDelivery {
  id: string | null;
  duplicate: boolean;
}

interface Waiting {
  delivery: AcceptedDelivery;
  resolve(stored: StoredDelivery): void;
  reject(error: unknown): void;
}

const isUniqueViolation = (error: unknown) =>
  ['P2002', 'SQLITE_CONSTRAINT_UNIQUE'].includes((error as { code?: string }).code ?? '');
const keyOf = (d: { sourceId: string; dedupKey: string }) => `${d.sourceId}\u0000${d.dedupKey}`;

/** Counts a repeat of a stored event on it and per source, then says which event it repeats. */
async function duplicateOf(db: Db, delivery: AcceptedDelivery, id: string | null): Promise<StoredDelivery> {
  await db.webhookEvent.updateMany({
    where: { sourceId: delivery.sourceId, dedupKey: delivery.dedupKey },
    data: { duplicates: { increment: 1 } },
  });
  countOutcome(db, delivery.sourceId, 'duplicate');
  return { id, duplicate: true };
}

/**
 * Stores one delivery on its own: the event and its job in one transaction, a repeat of a stored event
 * counted on it. The unique (sourceId, dedupKey) decides a race with another instance.
 */
export async function storeDelivery(db: Db, delivery: AcceptedDelivery): Promise<StoredDelivery> {
  const where = { sourceId_dedupKey: { sourceId: delivery.sourceId, dedupKey: delivery.dedupKey } };
  const existing = await db.webhookEvent.findUnique({ where, select: { id: true } });
  if (existing) return duplicateOf(db, delivery, existing.id);
  try {
    await db.$transaction([
      db.webhookEvent.create({ data: eventRow(delivery, 0) }),
      db.job.create({ data: delivery.job }),
    ]);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await db.webhookEvent.findUnique({ where, select: { id: true } });
    return duplicateOf(db, delivery, winner?.id ?? null);
  }
  countOutcome(db, delivery.sourceId, 'received', delivery.event.receivedAt);
  return { id: delivery.event.id, duplicate: false };
}

function eventRow(delivery: AcceptedDelivery, duplicates: number) {
  return {
    ...delivery.event,
    sourceId: delivery.sourceId,
    dedupKey: delivery.dedupKey,
    jobId: delivery.job.id,
    duplicates,
  };
}

/**
 * SQLite: the same rows as writeWithPrisma writes (the jobs' `createdAt` default, now, made explicit), with
 * prepared statements in one IMMEDIATE transaction. That transaction holds the write lock from its start,
 * so the check for stored keys cannot race another instance.
 */
function writeWithBulk(tx: SqliteBulkTransaction, groups: Waiting[][]): Map<string, string> {
  const stored = new Map<string, string>();
  for (const [{ delivery }] of groups) {
    const [row] = tx.all<{ id: string }>(
      'SELECT "id" FROM "WebhookEvent" WHERE "sourceId" = ? AND "dedupKey" = ?',
      delivery.sourceId,
      delivery.dedupKey,
    );
    if (row) stored.set(keyOf(delivery), row.id);
  }
  const fresh = groups.filter((group) => !stored.has(keyOf(group[0].delivery)));
  const createdAt = new Date();
  tx.insert(
    'WebhookEvent',
    fresh.map((group) => eventRow(group[0].delivery, group.length - 1)),
  );
  tx.insert(
    'Job',
    fresh.map((group) => ({ ...group[0].delivery.job, createdAt })),
  );
  for (const group of groups) {
    if (!stored.has(keyOf(group[0].delivery))) continue;
    tx.run(
      'UPDATE "WebhookEvent" SET "duplicates" = "duplicates" + ? WHERE "sourceId" = ? AND "dedupKey" = ?',
      group.length,
      group[0].delivery.sourceId,
      group[0].delivery.dedupKey,
    );
  }
  return stored;
}

/**
 * Group commit: accepted deliveries wait a few milliseconds (`BREAKWATER_WEBHOOK_BATCH_MS`, or until
 * `BREAKWATER_WEBHOOK_BATCH_MAX` are waiting) and are written together, events and forward jobs, in one
 * transaction; each is answered only once that transaction committed, so an acknowledged delivery is on
 * disk with its job and a crash before the commit leaves none of the batch (the senders retry). One batch
 * is written at a time; what arrives meanwhile forms the next one, so batches grow with the load.
 */
export class IngestBatcher {
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing = false;

  constructor(
    private readonly db: Db,
    private readonly batchMs: number,
    private readonly batchMax: number,
  ) {}

  /** Resolves once the delivery is committed (or found to repeat a stored one); rejects if it could not be. */
  store(delivery: AcceptedDelivery): Promise<StoredDelivery> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ delivery, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.writing) return;
    if (this.waiting.length >= this.batchMax) void this.writeNext();
    else this.timer ??= setTimeout(() => void this.writeNext(), this.batchMs);
  }

  private async writeNext(): Promise<void> {
    // Whatever started this write, no other may start before it ends.
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing) return;
    const batch = this.waiting.splice(0, this.batchMax);
    if (batch.length === 0) return;
    this.writing = true;
    try {
      await this.write(batch);
    } finally {
      this.writing = false;
      // Deliveries that came in while this batch was written have waited long enough already.
      if (this.waiting.length > 0) setImmediate(() => void this.writeNext());
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    // The first of each (source, dedup key) is the one stored; the others in the batch repeat it.
    const groups = new Map<string, Waiting[]>();
    for (const waiting of batch) {
      const key = keyOf(waiting.delivery);
      const group = groups.get(key);
      if (group) group.push(waiting);
      else groups.set(key, [waiting]);
    }
    const all = [...groups.values()];
    try {
      const bulk = sqliteBulkWriterFor(this.db);
      const stored = bulk ? await bulk.write((tx) => writeWithBulk(tx, all)) : await this.writeWithPrisma(all);
      const fresh = all.filter((group) => !stored.has(keyOf(group[0].delivery)));
      const repeats = all.filter((group) => stored.has(keyOf(group[0].delivery)));
      for (const group of fresh) {
        const [first, ...others] = group;
        countOutcome(this.db, first.delivery.sourceId, 'received', first.delivery.event.receivedAt);
        first.resolve({ id: first.delivery.event.id, duplicate: false });
        for (const other of others) this.answerDuplicate(other, first.delivery.event.id);
      }
      for (const group of repeats)
        for (const waiting of group) this.answerDuplicate(waiting, stored.get(keyOf(waiting.delivery))!);
    } catch (error) {
      if (isUniqueViolation(error)) {
        // Another instance stored one of these keys since the check: each delivery on its own, as one would be.
        for (const waiting of batch)
          await storeDelivery(this.db, waiting.delivery).then(waiting.resolve, waiting.reject);
        return;
      }
      log.error({ err: error, deliveries: batch.length }, 'webhook deliveries not stored; answered 503');
      for (const waiting of batch) waiting.reject(error);
    }
  }

  private answerDuplicate(waiting: Waiting, id: string): void {
    countOutcome(this.db, waiting.delivery.sourceId, 'duplicate');
    waiting.resolve({ id, duplicate: true });
  }

  /**
   * PostgreSQL: the events of keys not stored yet and their jobs inserted, the repeats counted, in one
   * transaction. Returns the events that were stored before (key → id); the unique (sourceId, dedupKey)
   * decides a race with another instance.
   */
  private async writeWithPrisma(groups: Waiting[][]): Promise<Map<string, string>> {
    const stored = await this.storedIds(groups.map((group) => group[0].delivery));
    const fresh = groups.filter((group) => !stored.has(keyOf(group[0].delivery)));
    const repeats = groups.filter((group) => stored.has(keyOf(group[0].delivery)));
    await this.db.$transaction([
      ...(fresh.length > 0
        ? [
            this.db.webhookEvent.createMany({
              data: fresh.map((group) => eventRow(group[0].delivery, group.length - 1)),
            }),
            this.db.job.createMany({ data: fresh.map((group) => group[0].delivery.job) }),
          ]
        : []),
      ...repeats.map((group) =>
        this.db.webhookEvent.updateMany({
          where: { sourceId: group[0].delivery.sourceId, dedupKey: group[0].delivery.dedupKey },
          data: { duplicates: { increment: group.length } },
        }),
      ),
    ]);
    return stored;
  }

  /** The stored events among the deliveries' keys, in one query: key → event id. */
  private async storedIds(deliveries: AcceptedDelivery[]): Promise<Map<string, string>> {
    const keysBySource = new Map<string, string[]>();
    for (const { sourceId, dedupKey } of deliveries) {
      const keys = keysBySource.get(sourceId);
      if (keys) keys.push(dedupKey);
      else keysBySource.set(sourceId, [dedupKey]);
    }
    const rows = await this.db.webhookEvent.findMany({
      where: { OR: [...keysBySource].map(([sourceId, keys]) => ({ sourceId, dedupKey: { in: keys } })) },
      select: { id: true, sourceId: true, dedupKey: true },
    });
    return new Map(rows.map((row) => [keyOf(row), row.id]));
  }
}

/** The process's batcher for a database (one per client: tests and benches open several). */
export function ingestBatcherFor(db: Db): IngestBatcher {
  const batchers = processSingleton('webhook-ingest', () => new WeakMap<Db, IngestBatcher>());
  let batcher = batchers.get(db);
  if (!batcher) {
    batcher = new IngestBatcher(db, setting('BREAKWATER_WEBHOOK_BATCH_MS'), setting('BREAKWATER_WEBHOOK_BATCH_MAX'));
    batchers.set(db, batcher);
  }
  return batcher;
}
