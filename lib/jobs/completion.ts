import { sendDelivery } from '@/lib/integrations';
import { webhookHeaders } from '@/lib/standard-webhooks';

/**
 * POSTs a signed (Standard Webhooks) completion message through the completion webhooks' client of the
 * registry, like alert notifications and sync sinks: retries with backoff, timeouts, a breaker, the
 * destination policy and telemetry, with `webhook-id` as the idempotency key so the POST may be retried.
 * undici's dispatch follows no redirect: a 3xx is the answer. Resolves with what to record, never throws.
 */
export async function sendCompletionWebhook(url: string, secret: string, messageId: string, body: string) {
  try {
    const response = await sendDelivery('job-completion', url, {
      headers: webhookHeaders(secret, messageId, Math.floor(Date.now() / 1000), body),
      body,
    });
    return `answered ${response.status}`;
  } catch (error) {
    return `failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}
