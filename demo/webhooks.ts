import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '@/lib/db';
import { DEFAULT_WORKSPACE_ID } from '@/lib/model';
import { webhookHeaders } from '@/lib/standard-webhooks';
import { createSource, findSource, sourceSchema, updateSource } from '@/lib/webhooks';

/** The demo's inbound webhook source: a payments provider posting Standard Webhooks to the payments integration. */
export const DEMO_WEBHOOK_SOURCE = 'payments-events';
export const DEMO_WEBHOOK_SECRET_ENV = 'BREAKWATER_SECRET_DEMO_WEBHOOK';

/** Creates the source once; the secret is generated for this run and handed to the server in its environment. */
export async function ensureDemoWebhookSource(db: Db): Promise<string> {
  process.env[DEMO_WEBHOOK_SECRET_ENV] ??= `whsec_${randomBytes(24).toString('base64')}`;
  const existing = await findSource(db, DEFAULT_WORKSPACE_ID, DEMO_WEBHOOK_SOURCE);
  // A demo database from before secrets had to be exposed names DEMO_WEBHOOK_SECRET, which now verifies nothing.
  if (existing && existing.secretEnv !== DEMO_WEBHOOK_SECRET_ENV)
    await updateSource(db, DEFAULT_WORKSPACE_ID, DEMO_WEBHOOK_SOURCE, { secretEnv: DEMO_WEBHOOK_SECRET_ENV });
  if (!existing)
    await createSource(
      db,
      DEFAULT_WORKSPACE_ID,
      sourceSchema.parse({
        name: 'Payments events',
        slug: DEMO_WEBHOOK_SOURCE,
        integration: 'payments',
        forwardPath: '/webhooks',
        scheme: 'standard',
        secretEnv: DEMO_WEBHOOK_SECRET_ENV,
      }),
    );
  return process.env[DEMO_WEBHOOK_SECRET_ENV]!;
}

/**
 * Posts a signed delivery every `everyMs`: now and then a redelivery of the previous event, a tampered
 * body or a stale timestamp, so the webhooks page shows duplicates and refusals beside the forwards.
 */
export function startWebhookTraffic(baseUrl: string, secret: string, everyMs = 2000): { stop(): void } {
  let previous: { id: string; body: string } | undefined;
  let n = 0;
  const timer = setInterval(() => {
    n++;
    const redeliver = previous && n % 7 === 0;
    const event = redeliver
      ? previous!
      : { id: `msg_${randomUUID()}`, body: JSON.stringify({ type: 'charge.succeeded', amount: 100 + (n % 50) * 10 }) };
    const stale = n % 11 === 0;
    const timestamp = Math.floor(Date.now() / 1000) - (stale ? 900 : 0);
    const headers = webhookHeaders(secret, event.id, timestamp, event.body);
    const body = n % 13 === 0 ? event.body.replace('succeeded', 'refunded') : event.body;
    previous = event;
    void fetch(`${baseUrl}/api/webhooks/${DEMO_WEBHOOK_SOURCE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    }).catch(() => undefined);
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
