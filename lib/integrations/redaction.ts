import type { RedactionRules } from '@/lib/redaction';
import type { Integration } from './rows';

/** Secret values the telemetry must scrub for this integration (lib/redaction derives their encodings). */
export function secretsOf(integration: Integration, env: NodeJS.ProcessEnv = process.env): string[] {
  const secret = integration.secretEnv ? env[integration.secretEnv] : undefined;
  return secret ? [secret] : [];
}

/** How whatever is stored or shown of this integration's calls is redacted, and what of them is kept. */
export function redactionOf(integration: Integration, env: NodeJS.ProcessEnv = process.env): RedactionRules {
  return { secrets: secretsOf(integration, env), capture: integration.bodyCapture };
}
