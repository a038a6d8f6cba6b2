import type { RedactionRules } from '@/lib/redaction';
import type { Integration } from './rows';

/** Secret values the telemetry must scrub for this integration (every credential of both environments) (lib/redaction derives their encodings). */
export function secretsOf(integration: Integration, env: NodeJS.ProcessEnv = process.env): string[] {
  const names = [
    integration.secretEnv,
    integration.secondarySecretEnv,
    integration.sandbox?.secretEnv,
    integration.sandbox?.secondarySecretEnv,
  ];
  const secrets: string[] = [];
  for (const name of names) {
    const secret = name ? env[name] : undefined;
    if (secret) secrets.push(secret);
  }
  return secrets;
}

/** How whatever is stored or shown of this integration's calls is redacted, and what of them is kept. */
export function redactionOf(integration: Integration, env: NodeJS.ProcessEnv = process.env): RedactionRules {
  return { secrets: secretsOf(integration, env), capture: integration.bodyCapture };
}
