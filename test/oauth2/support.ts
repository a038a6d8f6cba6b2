import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** Where a server listens on loopback, and how to stop it. */
export interface Listening {
  url: string;
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

export const RESOURCE = 'https://orders.example.test';
export const SCOPE = 'orders:read';

export interface AuthorizationServer extends Listening {
  tokenUrl: string;
  provider: Provider;
  /** successful token grants so far, by client id */
  grants: Map<string, number>;
  /** whether `token` is an access token this server issued and still honours */
  validate(token: string): Promise<boolean>;
  /** forgets every token issued so far (an upstream then refuses them: 401) */
  revokeAll(): Promise<void>;
}

/**
 * A real OAuth2 authorization server (oidc-provider) for the client-credentials grant, with the clients
 * `basic-client` (client_secret_basic), `post-client` (client_secret_post) and, per signing key given,
 * `jwt-<alg>` (private_key_jwt verified with that key's public half). Opaque tokens live `ttlSeconds`.
 */
export async function startAuthorizationServer(options: {
  secret: string;
  signingKeys?: readonly SigningKeyPair[];
  ttlSeconds?: number;
}): Promise<AuthorizationServer> {
  const server = createServer();
  const url = await listen(server);
  const issued: string[] = [];
  const common = {
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    scope: SCOPE,
  };
  const provider = new Provider(url, {
    clients: [
      {
        ...common,
        client_id: 'basic-client',
        client_secret: options.secret,
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        ...common,
        client_id: 'post-client',
        client_secret: options.secret,
        token_endpoint_auth_method: 'client_secret_post',
      },
      ...(options.signingKeys ?? []).map((key) => ({
        ...common,
        client_id: `jwt-${key.alg.toLowerCase()}`,
        token_endpoint_auth_method: 'private_key_jwt' as const,
        token_endpoint_auth_signing_alg: key.alg,
        jwks: { keys: [key.publicJwk] },
      })),
    ],
    scopes: [SCOPE],
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo: () => ({
          scope: SCOPE,
          accessTokenFormat: 'opaque',
          accessTokenTTL: options.ttlSeconds ?? 300,
        }),
      },
    },
    ttl: { ClientCredentials: options.ttlSeconds ?? 300 },
  });
  const grants = new Map<string, number>();
  provider.on('grant.success', (ctx) => {
    const id = ctx.oidc.client?.clientId ?? '?';
    grants.set(id, (grants.get(id) ?? 0) + 1);
  });
  provider.on('client_credentials.saved', (token) => issued.push(token.jti));
  server.on('request', provider.callback());
  return {
    url,
    tokenUrl: `${url}/token`,
    provider,
    grants,
    validate: async (token) => Boolean(await provider.ClientCredentials.find(token)),
    revokeAll: async () => {
      for (const jti of issued.splice(0)) await (await provider.ClientCredentials.find(jti))?.destroy();
    },
    close: closer(server),
  };
}

export interface SigningKeyPair {
  alg: 'RS256' | 'ES256' | 'EdDSA';
  /** the private key as PKCS#8 PEM and as a JWK text: either is what an operator puts in the secret */
  privatePem: string;
  privateJwk: string;
  publicJwk: Record<string, unknown>;
}

/** A new key pair for private_key_jwt with `alg`. */
export function signingKeyPair(alg: SigningKeyPair['alg']): SigningKeyPair {
  const { privateKey, publicKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  return {
    alg,
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    privateJwk: JSON.stringify(privateKey.export({ format: 'jwk' })),
    publicJwk: { ...publicKey.export({ format: 'jwk' }), use: 'sig', alg },
  };
}

export interface ProtectedUpstream extends Listening {
  /** every request: its path and the bearer token it carried */
  requests: { path: string; token: string; ok: boolean }[];
}

/**
 * An API that honours only bearer tokens the authorization server vouches for: 401 otherwise. `/echo`
 * answers with the token it got in its body (an upstream that echoes credentials); `/echo-fail` the same
 * with a 500, so the call is kept in the call log.
 */
export async function startProtectedUpstream(
  validate: (token: string) => Promise<boolean>,
): Promise<ProtectedUpstream> {
  const requests: ProtectedUpstream['requests'] = [];
  const server = createServer(async (req, res) => {
    req.resume();
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const ok = token !== '' && (await validate(token));
    requests.push({ path: req.url ?? '', token, ok });
    if (!ok) {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
      return;
    }
    const echo = req.url?.startsWith('/echo');
    res
      .writeHead(req.url?.startsWith('/echo-fail') ? 500 : 200, { 'content-type': 'application/json' })
      .end(JSON.stringify(echo ? { seen: token, seen64: Buffer.from(token).toString('base64') } : { ok: true }));
  });
  return { url: await listen(server), requests, close: closer(server) };
}
