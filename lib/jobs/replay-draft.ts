import type { Integration } from '@/lib/integrations';
import type { CallDetail } from '@/lib/queries';
import { resendableHeaders } from './replay';
import { relativeToBase } from './send';

/** An edited replay as the explorer's form holds it: the recorded call's request, minus what the server sets. */
export interface ReplayDraft {
  method: string;
  /** relative to the integration's base URL, without the query */
  path: string;
  /** without the leading "?" */
  query: string;
  headers: { name: string; value: string }[];
  body: string;
}

/**
 * The recorded request as edit-and-replay starts from it: what the server would send again (the headers a
 * replay as recorded resends), no secret.
 */
export function replayDraft(
  call: Pick<CallDetail, 'method' | 'path' | 'requestHeaders' | 'requestBody'>,
  integration: Integration,
): ReplayDraft {
  const relative = relativeToBase(integration.baseUrl, call.path);
  const queryAt = relative.indexOf('?');
  return {
    method: call.method,
    path: queryAt < 0 ? relative : relative.slice(0, queryAt),
    query: queryAt < 0 ? '' : relative.slice(queryAt + 1),
    headers: Object.entries(resendableHeaders(call.requestHeaders, integration)).map(([name, value]) => ({
      name,
      value,
    })),
    body: call.requestBody ?? '',
  };
}

/** The header an integration's credential goes in and the variable holding it; null when it sends none. */
export function replayCredential(integration: Integration): { header: string; secretEnv: string } | null {
  // A replay gets a fresh access token; what the operator sees named is the client's own secret.
  const oauth2 = integration.authScheme === 'oauth2' ? integration.oauth2 : null;
  if (oauth2) return { header: 'authorization', secretEnv: (oauth2.clientSecretEnv ?? oauth2.privateKeyEnv)! };
  if (integration.authScheme === 'none' || !integration.secretEnv) return null;
  const header = integration.authScheme === 'header' ? (integration.authHeader ?? '') : 'authorization';
  return { header: header.toLowerCase(), secretEnv: integration.secretEnv };
}
