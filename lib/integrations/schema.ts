import { z } from 'zod';
import { BODY_CAPTURE_MODES, ENVIRONMENTS, patchOf } from '@/lib/model';
import { policySchema } from '@/lib/resilience';
import { checkSecretPin, secretNameSchema } from '@/lib/secrets';
import { plainHttpAllowed, refuseOutboundUrl } from './outbound';

export const AUTH_SCHEMES = ['none', 'bearer', 'header', 'basic', 'oauth2'] as const;
export const OAUTH2_CLIENT_AUTH = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export const OAUTH2_KEY_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;

const outboundUrl = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute http(s) URL' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      ctx.addIssue({ code: 'custom', message: 'must use http or https' });
    if (url.username || url.password)
      ctx.addIssue({
        code: 'custom',
        message: 'must not contain credentials: name an environment variable in secretEnv instead',
      });
    if (url.search || url.hash) ctx.addIssue({ code: 'custom', message: 'must not contain a query or fragment' });
    refuseOutboundUrl(value, ctx);
  });

export { ENVIRONMENTS };

const baseUrl = outboundUrl;

/**
 * OAuth2 client credentials (RFC 6749 §4.4): where tokens come from and how the client proves itself.
 * Only names of exposed secrets are stored; the token endpoint obeys the same rules as a base URL.
 */
export const oauth2Schema = z.object({
  tokenUrl: outboundUrl.refine(
    (value) => !URL.canParse(value) || new URL(value).protocol === 'https:' || plainHttpAllowed(new URL(value)),
    'must use https (plain http only to a loopback or private address allowed in BREAKWATER_OUTBOUND_ALLOW)',
  ),
  clientId: z.string().trim().min(1, 'is required').max(512),
  /** The client secret (client_secret_basic / client_secret_post), pinned to the token URL's origin. */
  clientSecretEnv: secretNameSchema.nullish(),
  /** A PEM (PKCS#8) or JWK private key (private_key_jwt), pinned to the token URL's origin. */
  privateKeyEnv: secretNameSchema.nullish(),
  keyAlgorithm: z.enum(OAUTH2_KEY_ALGORITHMS).default('RS256'),
  scopes: z
    .array(
      z
        .string()
        .trim()
        .regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/, 'a scope is printable ASCII without spaces, quotes or backslashes'),
    )
    .max(64)
    .default([]),
  audience: z.string().trim().min(1).max(2048).nullish(),
  /** RFC 8707 resource indicator: an absolute URI without a fragment. */
  resource: z
    .string()
    .trim()
    .max(2048)
    .refine((value) => URL.canParse(value) && !value.includes('#'), 'must be an absolute URI without a fragment')
    .nullish(),
  clientAuth: z.enum(OAUTH2_CLIENT_AUTH).default('client_secret_basic'),
  /** A token is replaced this long before it expires. */
  refreshSkewSeconds: z.number().int().min(0).max(3600).default(60),
});
export type OAuth2Config = z.output<typeof oauth2Schema>;

/** Where calls go and how they authenticate: an integration's production target, and its sandbox one. */
const targetFields = {
  baseUrl,
  authScheme: z.enum(AUTH_SCHEMES).default('none'),
  authHeader: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an HTTP header name')
    .nullish(),
  secretEnv: secretNameSchema.nullish(),
  /** Rotation: tried once when the primary gets a 401 (same validation, pins and role as secretEnv). */
  secondarySecretEnv: secretNameSchema.nullish(),
  /** OAuth2 client credentials (authScheme "oauth2"): each target has its own token endpoint and client. */
  oauth2: oauth2Schema.nullish(),
};
type TargetConfig = z.output<z.ZodObject<typeof targetFields>>;

function checkOAuth2(value: TargetConfig, ctx: z.RefinementCtx, at: PropertyKey[]): void {
  const oauth2 = value.oauth2;
  if (!oauth2) {
    ctx.addIssue({ code: 'custom', path: [...at, 'oauth2'], message: 'is required for auth scheme "oauth2"' });
    return;
  }
  const keyField = oauth2.clientAuth === 'private_key_jwt' ? 'privateKeyEnv' : 'clientSecretEnv';
  const name = oauth2[keyField];
  if (!name) {
    ctx.addIssue({
      code: 'custom',
      path: [...at, 'oauth2', keyField],
      message: `is required for client authentication "${oauth2.clientAuth}"`,
    });
    return;
  }
  checkSecretPin(ctx, name, oauth2.tokenUrl, [...at, 'oauth2', 'tokenUrl']);
  // With OAuth2 the secondary is the client's next secret (or private key): asked when the token endpoint
  // refuses the primary, so it goes to the token endpoint too.
  if (value.secondarySecretEnv) {
    if (value.secondarySecretEnv === name)
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'secondarySecretEnv'],
        message: `must differ from oauth2.${keyField}`,
      });
    checkSecretPin(ctx, value.secondarySecretEnv, oauth2.tokenUrl, [...at, 'oauth2', 'tokenUrl']);
  }
}

function checkAuth(value: TargetConfig, ctx: z.RefinementCtx, at: PropertyKey[] = []): void {
  if (value.authScheme === 'oauth2') {
    checkOAuth2(value, ctx, at);
    return;
  }
  if (value.authScheme !== 'none' && !value.secretEnv) {
    ctx.addIssue({
      code: 'custom',
      path: [...at, 'secretEnv'],
      message: `is required for auth scheme "${value.authScheme}"`,
    });
  }
  if (value.authScheme === 'header' && !value.authHeader) {
    ctx.addIssue({ code: 'custom', path: [...at, 'authHeader'], message: 'is required for auth scheme "header"' });
  }
  if (value.secondarySecretEnv && value.authScheme === 'none') {
    ctx.addIssue({ code: 'custom', path: [...at, 'secondarySecretEnv'], message: 'needs an auth scheme' });
  }
  if (value.secondarySecretEnv && value.secondarySecretEnv === value.secretEnv) {
    ctx.addIssue({ code: 'custom', path: [...at, 'secondarySecretEnv'], message: 'must differ from secretEnv' });
  }
  checkSecretPin(ctx, value.secretEnv, value.baseUrl, [...at, 'baseUrl']);
  checkSecretPin(ctx, value.secondarySecretEnv, value.baseUrl, [...at, 'baseUrl']);
}

/** A sandbox target (stored as JSON beside the production fields). */
export const targetSchema = z.object(targetFields).superRefine((value, ctx) => checkAuth(value, ctx));
export type IntegrationTarget = z.output<typeof targetSchema>;

export const integrationFields = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter or digit'),
  ...targetFields,
  sandbox: targetSchema.nullish(),
  policy: policySchema.default(policySchema.parse({})),
  bodyCapture: z.enum(BODY_CAPTURE_MODES).default('redacted'),
});

/** The one schema for an integration, used by the API, the settings form and the seeds; it gives the defaults. */
export const integrationSchema = integrationFields.superRefine(checkAuth);
export type IntegrationInput = z.input<typeof integrationSchema>;
export type IntegrationConfig = z.output<typeof integrationSchema>;

/** A PATCH body: any subset of the fields, none defaulted; the merged result is validated with integrationSchema. */
export const integrationPatchSchema = patchOf(integrationFields);
