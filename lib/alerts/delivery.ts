import type { Db } from '@/lib/db';
import { sendDelivery } from '@/lib/integrations';
import { assertOutboundSecret } from '@/lib/secret-roles';
import { assertAllowedOrigin, readSecret, SecretUnavailableError } from '@/lib/secrets';
import { webhookHeaders } from '@/lib/standard-webhooks';
import { type AlertGroup, slackPayload, webhookPayload } from './messages';

export interface Channel {
  id: string;
  name: string;
  kind: string;
  url: string | null;
  secretEnv: string;
}

export interface Delivery {
  channel: string;
  ok: boolean;
  status?: number;
  error?: string;
  attempts?: number;
}

/**
 * POSTs through the alert notifications' client of the registry (retries with backoff, breaker, timeouts,
 * telemetry). `webhook-id` is the idempotency key: the same message id on every attempt lets a POST be
 * retried and lets receivers drop duplicates, as the spec asks.
 */
async function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  hidden: { secrets?: string[]; route?: string } = {},
): Promise<Omit<Delivery, 'channel'>> {
  try {
    const response = await sendDelivery('alerts', url, { headers, body, ...hidden });
    const ok = response.status >= 200 && response.status < 300;
    return { ok, status: response.status, attempts: response.attempts.length };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** Sends one group to one channel; never throws, the outcome is recorded with the notification. */
export async function deliver(
  channel: Channel,
  group: AlertGroup,
  env: Record<string, string | undefined> = process.env,
  nowS: number = Math.floor(Date.now() / 1000),
): Promise<Delivery> {
  let secret: string;
  try {
    // A Slack variable holds the URL itself, so its pin is checked against that URL.
    secret = readSecret(channel.secretEnv, channel.kind === 'slack' ? {} : { origin: channel.url! }, env);
    if (channel.kind === 'slack') assertAllowedOrigin(channel.secretEnv, secret, env);
  } catch (error) {
    if (error instanceof SecretUnavailableError) return { channel: channel.name, ok: false, error: error.message };
    throw error;
  }
  if (channel.kind === 'slack') {
    return {
      channel: channel.name,
      // the URL's path is Slack's credential: scrubbed from the call log, and not the recorded route
      ...(await post(secret, { 'webhook-id': group.id }, JSON.stringify(slackPayload(group)), {
        secrets: [secret, new URL(secret).pathname],
        route: '/slack',
      })),
    };
  }
  const body = JSON.stringify(webhookPayload(group));
  let headers: Record<string, string>;
  try {
    headers = webhookHeaders(secret, group.id, nowS, body);
  } catch (error) {
    return { channel: channel.name, ok: false, error: (error as Error).message };
  }
  return { channel: channel.name, ...(await post(channel.url!, headers, body)) };
}

/** `deliver`, refusing first a secret that verifies an inbound webhook source (the runner's default). */
export async function deliverChecked(db: Db, channel: Channel, group: AlertGroup): Promise<Delivery> {
  try {
    await assertOutboundSecret(channel.secretEnv, db);
  } catch (error) {
    if (error instanceof SecretUnavailableError) return { channel: channel.name, ok: false, error: error.message };
    throw error;
  }
  return deliver(channel, group);
}
