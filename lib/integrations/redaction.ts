import type { RedactionRules } from '@/lib/redaction';
import { oauth2Tokens } from './oauth-tokens';
import type { Integration } from './rows';

/** Secret values the telemetry must scrub for this integration (every credential of both environments) (lib/redaction derives their encodings). */
export function secretsOf(integration: Integration, env: NodeJS.ProcessEnv = process.env): string[] {
  const names = [
    integration.secretEnv,
    integration.secondarySecretEnv,
    integration.oauth2?.clientSecretEnv,
    integration.oauth2?.privateKeyEnv,
    integration.sandbox?.secretEnv,
    integration.sandbox?.secondarySecretEnv,
    integration.sandbox?.oauth2?.clientSecretEnv,
    integration.sandbox?.oauth2?.privateKeyEnv,
  ];
  const secrets: string[] = [];
  for (const name of names) {
    const secret = name ? env[name] : undefined;
    if (secret) secrets.push(secret);
  }
  // OAuth2 access tokens issued lately (in memory only, either environment), so an upstream echoing one is scrubbed too.
  if (integration.authScheme === 'oauth2' || integration.sandbox?.authScheme === 'oauth2')
    secrets.push(...oauth2Tokens().recentTokens(integration.id));
  return secrets;
}

/** How whatever is stored or shown of this integration's calls is redacted, and what of them is kept. */
export function redactionOf(integration: Integration, env: NodeJS.ProcessEnv = process.env): RedactionRules {
  return { secrets: secretsOf(integration, env), capture: integration.bodyCapture };
}
