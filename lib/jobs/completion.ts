import { webhookHeaders } from '@/lib/alerts';
import { outboundPolicy } from '@/lib/integrations';
import { ResilientClient } from '@/lib/resilience';

// Completion webhooks go through Breakwater's own resilient client, like alert notifications and sync
// sinks: retries with backoff, timeouts, a breaker and the destination policy, with `webhook-id` as the
// idempotency key so the POST may be retried. undici's dispatch follows no redirect: a 3xx is the answer.
const COMPLETION_POLICY = {
  retry: { maxRetries: 2, initialDelayMs: 500, maxDelayMs: 4000 },
  timeout: { attemptMs: 10_000, overallMs: 30_000 },
  cache: { enabled: false },
  idempotency: { header: 'webhook-id', generate: true },
  rateLimit: { enabled: false },
};

const shared = globalThis as typeof globalThis & { __breakwaterCompletionClients?: Map<string, ResilientClient> };

/** One client per receiver origin, kept for the process so breaker state and connections persist. */
function completionClient(origin: string): ResilientClient {
  shared.__breakwaterCompletionClients ??= new Map();
  let client = shared.__breakwaterCompletionClients.get(origin);
  if (!client) {
    client = new ResilientClient({
      name: `job-completion:${new URL(origin).host}`,
      origin,
      policy: COMPLETION_POLICY,
      destinationPolicy: outboundPolicy(),
    });
    shared.__breakwaterCompletionClients.set(origin, client);
  }
  return client;
}

/** POSTs a signed (Standard Webhooks) completion message; resolves with what to record, never throws. */
export async function sendCompletionWebhook(url: string, secret: string, messageId: string, body: string) {
  try {
    const target = new URL(url);
    const response = await completionClient(target.origin).request({
      method: 'POST',
      path: `${target.pathname}${target.search}`,
      route: target.pathname,
      headers: {
        'content-type': 'application/json',
        ...webhookHeaders(secret, messageId, Math.floor(Date.now() / 1000), body),
      },
      body,
    });
    return `answered ${response.status}`;
  } catch (error) {
    return `failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}
