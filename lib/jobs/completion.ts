import type { Db } from '@/lib/db';
import { sendDelivery } from '@/lib/integrations';
import { log } from '@/lib/logging';
import { assertOutboundSecret } from '@/lib/secret-roles';
import { readSecret, SecretUnavailableError } from '@/lib/secrets';
import { webhookHeaders } from '@/lib/standard-webhooks';

/**
 * The signing secret of a job's completion webhook, or why it is refused (said by variable name only):
 * not exposed, not set, pinned to another origin, or an inbound source's verification secret. A job
 * stored before secrets had to be exposed stops signing here rather than leak.
 */
export async function completionSecret(
  db: Db,
  name: string | null,
  url: string,
): Promise<{ value: string } | { refused: string }> {
  if (!name) return { refused: 'no secret variable named' };
  try {
    const value = readSecret(name, { origin: url });
    await assertOutboundSecret(name, db);
    return { value };
  } catch (error) {
    if (!(error instanceof SecretUnavailableError)) throw error;
    log.warn({ variable: error.variable }, `completion webhook not sent: ${error.message}`);
    return { refused: error.message };
  }
}

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
