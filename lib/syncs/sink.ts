import { createHash } from 'node:crypto';
import { sendDelivery } from '@/lib/integrations';
import { readSecret } from '@/lib/secrets';
import { webhookHeaders } from '@/lib/standard-webhooks';
import type { PageItem } from './page';

/**
 * The page's message id: the same for the same sync, the same checkpoint the page was fetched from and
 * the same items. A page fetched again after a crash (delivered, checkpoint not yet stored) therefore
 * comes with the id the receiver already saw, and it can drop it; if the feed grew meanwhile the page
 * holds more items and gets a new id, so deduplicating by id never drops an item the receiver lacks.
 */
export function pageMessageId(syncId: string, from: string | null, items: readonly PageItem[]): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([syncId, from, items.map((item) => item.id)]))
    .digest('base64url');
  return `sync_${digest.slice(0, 32)}`;
}

export interface WebhookPage {
  syncId: string;
  slug: string;
  integration: string;
  url: string;
  secretEnv: string;
  from: string | null;
  next: string | null;
  items: readonly PageItem[];
}

/**
 * POSTs one page signed as Standard Webhooks; resolves only on a 2xx answer. The secret must be exposed
 * and not pinned to another origin (a SecretUnavailableError naming the variable otherwise).
 */
export async function deliverPage(page: WebhookPage, signal: AbortSignal, env: NodeJS.ProcessEnv = process.env) {
  const secret = readSecret(page.secretEnv, { origin: page.url }, env);
  const id = pageMessageId(page.syncId, page.from, page.items);
  const body = JSON.stringify({
    type: 'sync.items',
    timestamp: new Date().toISOString(),
    data: {
      sync: page.slug,
      integration: page.integration,
      from: page.from,
      next: page.next,
      items: page.items.map((item) => item.payload),
    },
  });
  // Through the sync sinks' client of the registry (retries with backoff, timeouts, a breaker, telemetry),
  // with `webhook-id` as the idempotency key so the POST may be retried.
  const response = await sendDelivery('sync-sink', page.url, {
    headers: webhookHeaders(secret, id, Math.floor(Date.now() / 1000), body),
    body,
    signal,
  });
  if (response.status < 200 || response.status >= 300) throw new Error(`the sink answered ${response.status}`);
}
