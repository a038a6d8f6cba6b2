import { randomUUID } from 'node:crypto';
import type { Db } from '@/lib/db';
import { type Integration, redactionOf } from '@/lib/integrations';
import { redactBody, redactText } from '@/lib/redaction';
import { runBatch } from '@/lib/resilience';
import type { BatchInput } from './schema';
import { BATCH_CALLER, headerValue, idempotencyHeader, sendStored, withHeader } from './send';

const RESULT_BODY_CAP = 4096;

class ItemFailed extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly body?: string,
  ) {
    super(message);
  }
}

/**
 * Runs the items through the integration's client with runBatch (concurrency, batch size, continue on
 * error) and reports one result per item; a failed item can be kept as a dead letter to replay later.
 */
export async function runCallBatch(db: Db, integration: Integration, input: BatchInput) {
  const keyHeader = idempotencyHeader(integration);
  // Each item's key is fixed before it is sent, so a dead-lettered item replays with the same key.
  const items = input.items.map((item) => {
    const unsafe = item.method !== 'GET' && item.method !== 'HEAD' && item.method !== 'OPTIONS';
    const key = headerValue(item.headers, keyHeader) ?? (unsafe ? randomUUID() : undefined);
    return { ...item, headers: key ? withHeader(item.headers, keyHeader, key) : item.headers, key };
  });
  const results = await runBatch(
    items,
    async (item) => {
      const callId = randomUUID();
      let response: Awaited<ReturnType<typeof sendStored>>;
      try {
        response = await sendStored(integration, item, callId, undefined, BATCH_CALLER);
      } catch (error) {
        throw new ItemFailed(
          error instanceof Error ? error.message : String(error),
          (error as { status?: number }).status,
        );
      }
      const body = response.body.subarray(0, RESULT_BODY_CAP).toString('utf8');
      if (response.status >= 400) throw new ItemFailed(`upstream answered ${response.status}`, response.status, body);
      return { callId, status: response.status, body };
    },
    { concurrency: input.concurrency, batchSize: input.batchSize, continueOnError: input.continueOnError },
  );
  const out = [];
  for (const result of results) {
    const item = items[result.index];
    if (result.ok) {
      out.push({ index: result.index, ok: true, ...result.value });
      continue;
    }
    const error = result.error as ItemFailed;
    let deadLetterId: string | undefined;
    if (input.deadLetterFailed && !result.skipped) {
      deadLetterId = randomUUID();
      await db.job.create({
        data: {
          id: deadLetterId,
          workspaceId: integration.workspaceId,
          integrationId: integration.id,
          integrationSlug: integration.slug,
          state: 'dead',
          method: item.method,
          path: item.path,
          headers: JSON.stringify(item.headers),
          body: item.body ?? null,
          idempotencyKey: item.key ?? randomUUID(),
          attempts: 1,
          maxAttempts: 1,
          runAt: new Date(),
          finishedAt: new Date(),
          lastError: redactText(error.message, redactionOf(integration)),
          lastStatus: error.status ?? null,
          resultBody: redactBody(error.body, redactionOf(integration)),
          source: 'batch',
        },
      });
    }
    out.push({
      index: result.index,
      ok: false,
      skipped: result.skipped,
      error: error.message,
      ...(error.status !== undefined && { status: error.status }),
      ...(error.body !== undefined && { body: error.body }),
      ...(deadLetterId && { deadLetterId }),
    });
  }
  return {
    results: out,
    succeeded: out.filter((r) => r.ok).length,
    failed: out.filter((r) => !r.ok && !('skipped' in r && r.skipped)).length,
    skipped: out.filter((r) => 'skipped' in r && r.skipped).length,
  };
}
