import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { DomainError } from '@/lib/model';
import type { Reauthorization, ResilientResponse } from '@/lib/resilience';
import { assertOutboundSecret } from '@/lib/secret-roles';
import { readSecret } from '@/lib/secrets';
import { tokenClientFor } from './clients';
import { type IssuedToken, oauth2Tokens } from './oauth-tokens';
import { plainHttpAllowed } from './outbound';
import type { Integration } from './rows';
import type { OAuth2Config } from './schema';

/**
 * OAuth2 client credentials (RFC 6749 §4.4) for an integration: tokens requested with oauth4webapi through
 * the integration's token endpoint client (its own timeout, retry and breaker; recorded under the
 * integration as route `oauth2:token`), cached in memory by TokenCache, never stored.
 */

/** The route the token endpoint's calls are recorded under. */
export const TOKEN_ROUTE = 'oauth2:token';

// RFC 6749 lets a server omit expires_in; such a token is used for an hour, or until an upstream refuses it.
const DEFAULT_LIFETIME_S = 3600;

/** No token could be had: the token endpoint failed, refused the client, or answered nonsense. */
export class OAuth2TokenError extends DomainError {
  constructor(
    message: string,
    status: number,
    /** low-cardinality: `circuit_open`, `timeout_overall`, `network`, `invalid_client`, `bad_response`, ... */
    readonly reason: string,
  ) {
    super(message, status, 'oauth2_token', 'oauth2.tokenUrl');
  }
}

/** The upstream refused a fresh token too (a second 401): the client lacks a grant, scope or audience it needs. */
export class OAuth2RejectedError extends DomainError {
  constructor(slug: string, detail = 'a fresh token was refused too') {
    super(
      `the upstream of "${slug}" refused the OAuth2 access token (401): ${detail}`,
      502,
      'oauth2_rejected',
      'oauth2',
    );
  }
}

const STATUS_BY_ERROR_TYPE: Readonly<Record<string, number>> = {
  circuit_open: 503,
  bulkhead_rejected: 503,
  timeout_attempt: 504,
  timeout_overall: 504,
  destination_refused: 403,
};

/** What went wrong, as a message naming no secret, token nor response body. */
function tokenError(error: unknown): OAuth2TokenError {
  if (error instanceof OAuth2TokenError) return error;
  const errorType = (error as { errorType?: unknown } | null)?.errorType;
  if (typeof errorType === 'string') {
    const reason = errorType.startsWith('network_') ? 'network' : errorType;
    return new OAuth2TokenError(
      `the OAuth2 token endpoint could not be reached (${reason}): ${(error as Error).message}`,
      STATUS_BY_ERROR_TYPE[reason] ?? 502,
      reason,
    );
  }
  if (error instanceof oauth.ResponseBodyError)
    return new OAuth2TokenError(
      `the OAuth2 token endpoint refused the request: ${error.status} ${error.error}`,
      502,
      /^[a-z_]{1,64}$/.test(error.error) ? error.error : 'refused',
    );
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const code = error.cause.find((challenge) => challenge.parameters.error)?.parameters.error ?? 'unauthorized';
    return new OAuth2TokenError(
      `the OAuth2 token endpoint refused the client: ${error.status} ${code}`,
      502,
      /^[a-z_]{1,64}$/.test(code) ? code : 'refused',
    );
  }
  if (error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError)
    return new OAuth2TokenError(
      `the OAuth2 token endpoint gave an unusable answer: ${error.message}`,
      502,
      'bad_response',
    );
  return new OAuth2TokenError(`the OAuth2 token request failed: ${(error as Error).message}`, 502, 'failed');
}

const SIGNING_ALGORITHMS: Readonly<
  Record<OAuth2Config['keyAlgorithm'], RsaHashedImportParams | EcKeyImportParams | Algorithm>
> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  EdDSA: { name: 'Ed25519' },
};

// Imported once per distinct key value (the environment is still read on every token request).
const importedKeys = new Map<string, Promise<oauth.PrivateKey>>();

/** A private key from a PEM (PKCS#8, PKCS#1 or SEC1) or JWK text, as a non-extractable signing key. */
function signingKey(
  text: string,
  algorithm: OAuth2Config['keyAlgorithm'],
  variable: string,
): Promise<oauth.PrivateKey> {
  const cacheKey = `${algorithm}\n${text}`;
  let key = importedKeys.get(cacheKey);
  if (!key) {
    key = (async () => {
      try {
        const trimmed = text.trim();
        const parsed = trimmed.startsWith('{') ? (JSON.parse(trimmed) as JsonWebKey & { kid?: unknown }) : undefined;
        const jwk = (parsed ? createPrivateKey({ key: parsed, format: 'jwk' }) : createPrivateKey(trimmed)).export({
          format: 'jwk',
        });
        const cryptoKey = await crypto.subtle.importKey('jwk', jwk, SIGNING_ALGORITHMS[algorithm], false, ['sign']);
        return typeof parsed?.kid === 'string' ? { key: cryptoKey, kid: parsed.kid } : { key: cryptoKey };
      } catch {
        throw new OAuth2TokenError(
          `the secret ${variable} is not a ${algorithm} private key (PEM or JWK)`,
          503,
          'bad_private_key',
        );
      }
    })();
    if (importedKeys.size >= 32) importedKeys.clear();
    importedKeys.set(cacheKey, key);
    key.catch(() => importedKeys.delete(cacheKey));
  }
  return key;
}

/** The variable holding the client's credential: its secret, or its private key for private_key_jwt. */
function credentialVariable(config: OAuth2Config): string {
  return (config.clientAuth === 'private_key_jwt' ? config.privateKeyEnv : config.clientSecretEnv) ?? '';
}

async function clientAuthentication(
  config: OAuth2Config,
  variable: string,
  env: NodeJS.ProcessEnv,
): Promise<oauth.ClientAuth> {
  // Pinned to the token endpoint's origin: that is where the secret (or a signature made with it) goes.
  const secret = readSecret(variable, { origin: config.tokenUrl }, env);
  await assertOutboundSecret(variable);
  switch (config.clientAuth) {
    case 'client_secret_post':
      return oauth.ClientSecretPost(secret);
    case 'private_key_jwt':
      return oauth.PrivateKeyJwt(await signingKey(secret, config.keyAlgorithm, variable), {
        // oauth4webapi writes "Ed25519"; most servers know the registered name "EdDSA".
        [oauth.modifyAssertion]: (header) => {
          if (config.keyAlgorithm === 'EdDSA') header.alg = 'EdDSA';
        },
      });
    default:
      return oauth.ClientSecretBasic(secret);
  }
}

/** oauth4webapi's fetch, sent through the integration's token endpoint client. */
function tokenFetch(integration: Integration, tokenUrl: string) {
  return async (url: string, init: oauth.CustomFetchOptions<string, unknown>): Promise<Response> => {
    const target = new URL(url);
    const answer: ResilientResponse = await tokenClientFor(integration, tokenUrl).request({
      method: init.method,
      path: `${target.pathname}${target.search}`,
      route: TOKEN_ROUTE,
      headers: init.headers,
      body: init.body === undefined ? undefined : String(init.body),
      signal: init.signal,
    });
    const empty = answer.status === 204 || answer.status === 304;
    return new Response(empty ? null : new Uint8Array(answer.body), { status: answer.status, headers: answer.headers });
  };
}

async function requestTokenWith(
  integration: Integration,
  config: OAuth2Config,
  variable: string,
  env: NodeJS.ProcessEnv,
): Promise<{ value: string; expiresInMs: number }> {
  // The assertion's audience (private_key_jwt) is the token endpoint URL, which RFC 7523 allows.
  const server: oauth.AuthorizationServer = { issuer: config.tokenUrl, token_endpoint: config.tokenUrl };
  const client: oauth.Client = { client_id: config.clientId };
  const parameters = new URLSearchParams();
  if (config.scopes.length > 0) parameters.set('scope', config.scopes.join(' '));
  if (config.audience) parameters.set('audience', config.audience);
  if (config.resource) parameters.set('resource', config.resource);
  try {
    const auth = await clientAuthentication(config, variable, env);
    const response = await oauth.clientCredentialsGrantRequest(server, client, auth, parameters, {
      [oauth.customFetch]: tokenFetch(integration, config.tokenUrl),
      [oauth.allowInsecureRequests]: plainHttpAllowed(new URL(config.tokenUrl), env),
    });
    const result = await oauth.processClientCredentialsResponse(server, client, response);
    return { value: result.access_token, expiresInMs: (result.expires_in ?? DEFAULT_LIFETIME_S) * 1000 };
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw tokenError(error);
  }
}

/**
 * A token from the endpoint with the primary client credential; during a rotation (`secondarySecretEnv`
 * set: the next client secret, or private key for private_key_jwt), a refusal of the primary as
 * `invalid_client` is asked once more with the secondary, so the provider can switch keys at any moment.
 */
async function requestToken(
  integration: Integration,
  config: OAuth2Config,
  env: NodeJS.ProcessEnv,
): Promise<{ value: string; expiresInMs: number; credential: 'primary' | 'secondary' }> {
  try {
    return { ...(await requestTokenWith(integration, config, credentialVariable(config), env)), credential: 'primary' };
  } catch (error) {
    const secondary = integration.secondarySecretEnv;
    if (!secondary || !(error instanceof OAuth2TokenError) || error.reason !== 'invalid_client') throw error;
    return { ...(await requestTokenWith(integration, config, secondary, env)), credential: 'secondary' };
  }
}

/** The integration's access token: cached, refreshed `refreshSkewSeconds` before it expires, one request at a time. */
export async function oauth2AccessToken(
  integration: Integration,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return (await oauth2Token(integration, env)).value;
}

/** The token with the client credential that got it (the secondary, during a rotation). */
async function oauth2Token(integration: Integration, env: NodeJS.ProcessEnv): Promise<IssuedToken> {
  const config = integration.oauth2;
  if (!config)
    throw new OAuth2TokenError(`integration "${integration.slug}" has no OAuth2 settings`, 503, 'not_configured');
  const token = await oauth2Tokens().token(
    integration.id,
    // a changed secondary (a rotation step) is a changed configuration: the next call asks for a token again
    JSON.stringify([config, integration.secondarySecretEnv ?? null]),
    config.refreshSkewSeconds * 1000,
    () => requestToken(integration, config, env),
  );
  return token;
}

function discard(response: ResilientResponse): void {
  response.stream?.destroy();
}

/**
 * Sends with the integration's access token. A 401 is answered through the client's one reauthorization
 * (ResilientRequest.reauthorize, the same hook rotation uses for a secondary secret): the refused token is
 * dropped (once for every call refused with it) and the request resent at once with a fresh one, inside
 * the same call and not counted against the retry policy. A second 401 (or a 401 to a streamed body, which
 * cannot be sent again) is an OAuth2RejectedError; a fresh token that cannot be had is the OAuth2TokenError.
 */
export async function sendWithOAuth2(
  integration: Integration,
  send: (
    headers: Record<string, string>,
    reauthorize: () => Promise<Reauthorization | undefined>,
    servedBy?: string,
  ) => Promise<ResilientResponse>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResilientResponse> {
  const tokens = oauth2Tokens();
  const issued = await oauth2Token(integration, env);
  let token = issued.value;
  let refreshed = false;
  let failure: unknown;
  const reauthorize = async (): Promise<Reauthorization | undefined> => {
    refreshed = true;
    tokens.invalidate(integration.id, token);
    try {
      token = await oauth2AccessToken(integration, env);
    } catch (error) {
      failure = error;
      return undefined;
    }
    return { headers: { authorization: `Bearer ${token}` }, tags: FRESH_TOKEN };
  };
  // A token the secondary client credential got labels the call `secondary`, as a static secondary does.
  const response = await send(
    { authorization: `Bearer ${token}` },
    reauthorize,
    issued.credential === 'secondary' ? 'secondary' : undefined,
  );
  if (failure !== undefined && response.status === 401) {
    discard(response);
    throw failure;
  }
  if (response.status !== 401) return response;
  tokens.invalidate(integration.id, token);
  discard(response);
  if (!refreshed) throw new OAuth2RejectedError(integration.slug, 'the streamed request body could not be resent');
  throw new OAuth2RejectedError(integration.slug);
}

/** The call-log label of a call resent with a fresh token (rotation labels its resends `secondary`). */
const FRESH_TOKEN = { credential: 'fresh_token' } as const;
