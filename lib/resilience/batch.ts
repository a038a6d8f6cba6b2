export type BatchItemResult<T> =
  | { index: number; ok: true; value: T }
  | { index: number; ok: false; error: unknown; skipped: boolean };

export interface BatchOptions {
  /** Items running at once within a batch (default 5, the default bulkhead size). */
  concurrency?: number;
  /** Items per batch; a batch finishes before the next starts (default: all items in one batch). */
  batchSize?: number;
  /** When false, the first failure stops new items; those never started are reported as skipped. */
  continueOnError?: boolean;
}

/** Runs `task` for each item and reports one result per item, in input order. */
export async function runBatch<I, T>(
  items: readonly I[],
  task: (item: I, index: number) => Promise<T>,
  options: BatchOptions = {},
): Promise<BatchItemResult<T>[]> {
  const concurrency = Math.max(1, options.concurrency ?? 5);
  const batchSize = Math.max(1, options.batchSize ?? items.length);
  const continueOnError = options.continueOnError ?? true;
  const results: BatchItemResult<T>[] = new Array(items.length);
  let stopped = false;
  for (let batchStart = 0; batchStart < items.length; batchStart += batchSize) {
    const batchEnd = Math.min(items.length, batchStart + batchSize);
    let cursor = batchStart;
    const worker = async () => {
      while (cursor < batchEnd) {
        const index = cursor++;
        if (stopped) {
          results[index] = {
            index,
            ok: false,
            error: new Error('Batch stopped after an earlier failure'),
            skipped: true,
          };
          continue;
        }
        try {
          results[index] = { index, ok: true, value: await task(items[index], index) };
        } catch (error) {
          results[index] = { index, ok: false, error, skipped: false };
          if (!continueOnError) stopped = true;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batchEnd - batchStart) }, worker));
  }
  return results;
}
